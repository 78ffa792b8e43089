package models

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func TestEvaluateLogin(t *testing.T) {
	locked := t0.Add(10 * time.Minute)
	expired := t0.Add(-time.Minute)
	cases := []struct {
		name       string
		acct       Account
		ok         bool
		wantOK     bool
		wantFailed int
		wantLocked bool
		wantErr    error
	}{
		{"right password", Account{}, true, true, 0, false, nil},
		{"right password resets count", Account{FailedLogins: 4}, true, true, 0, false, nil},
		{"first failure", Account{}, false, false, 1, false, ErrBadCredentials},
		{"fourth failure", Account{FailedLogins: 3}, false, false, 4, false, ErrBadCredentials},
		{"fifth failure locks", Account{FailedLogins: 4}, false, false, 5, true, ErrAccountLocked},
		{"locked refuses right password", Account{FailedLogins: 5, LockedUntil: &locked}, true, false, 5, true, ErrAccountLocked},
		{"locked refuses wrong password", Account{FailedLogins: 5, LockedUntil: &locked}, false, false, 5, true, ErrAccountLocked},
		{"expired lock lets right password in", Account{FailedLogins: 5, LockedUntil: &expired}, true, true, 0, false, nil},
		{"expired lock starts a new count", Account{FailedLogins: 5, LockedUntil: &expired}, false, false, 1, false, ErrBadCredentials},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := EvaluateLogin(c.acct, c.ok, t0)
			if o.OK != c.wantOK || o.FailedLogins != c.wantFailed || (o.LockedUntil != nil) != c.wantLocked || !errors.Is(o.Err, c.wantErr) && !(o.Err == nil && c.wantErr == nil) {
				t.Fatalf("got %+v", o)
			}
			if c.name == "fifth failure locks" && !o.LockedUntil.Equal(t0.Add(LockoutDuration)) {
				t.Fatalf("locked until %v", o.LockedUntil)
			}
		})
	}
}

func TestSessionValid(t *testing.T) {
	revoked := t0
	cases := []struct {
		name string
		s    Session
		now  time.Time
		want bool
	}{
		{"fresh", Session{CreatedAt: t0, LastSeenAt: t0}, t0.Add(time.Minute), true},
		{"idle just under 30 min", Session{CreatedAt: t0, LastSeenAt: t0}, t0.Add(SessionIdle - time.Second), true},
		{"idle 30 min", Session{CreatedAt: t0, LastSeenAt: t0}, t0.Add(SessionIdle), false},
		{"active but past 12 h", Session{CreatedAt: t0, LastSeenAt: t0.Add(12*time.Hour - time.Minute)}, t0.Add(12 * time.Hour), false},
		{"active at 11 h 59", Session{CreatedAt: t0, LastSeenAt: t0.Add(11*time.Hour + 50*time.Minute)}, t0.Add(11*time.Hour + 59*time.Minute), true},
		{"revoked", Session{CreatedAt: t0, LastSeenAt: t0, RevokedAt: &revoked}, t0.Add(time.Second), false},
	}
	for _, c := range cases {
		if got := SessionValid(c.s, c.now); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

// TestWeakPassword: the passwords a guesser tries first are refused, and
// passwords merely built of the same parts are not.
func TestWeakPassword(t *testing.T) {
	for _, c := range []struct {
		pw, phone string
		weak      bool
	}{
		{"12345678", "", true},
		{"87654321", "", true},
		{"0123456789", "", true},
		{"abcdefgh", "", true},
		{"HGFEDCBA", "", true},
		{"88888888", "", true},
		{"啊啊啊啊啊啊啊啊", "", true},
		{"Woaini1314", "", true},
		{"1qaz2wsx", "", true},
		{"13800001234", "13800001234", true},
		{"00001234", "138 0000 1234", true},
		{"13800001234", "13900001234", false},
		{"12345679", "", false},
		{"88888889", "", false},
		{"abcdefgi", "", false},
		{"gugong-2026", "13800001234", false},
		{"我家住在三号楼", "", false},
	} {
		if got := WeakPassword(c.pw, c.phone); got != c.weak {
			t.Errorf("WeakPassword(%q, %q) = %v, want %v", c.pw, c.phone, got, c.weak)
		}
	}
}

func TestAccountInputValidate(t *testing.T) {
	cases := []struct {
		name string
		in   AccountInput
		want FieldErrors
	}{
		{"valid with +86 and spaces", AccountInput{Phone: "+86 138 0000 1234", Name: "王芳", Password: "gugong-2026", Confirm: "gugong-2026"}, FieldErrors{}},
		{"everything missing", AccountInput{}, FieldErrors{"phone": "err.required", "name": "err.required", "password": "err.password_too_short"}},
		{"bad phone", AccountInput{Phone: "12345", Name: "王芳", Password: "gugong-2026", Confirm: "gugong-2026"}, FieldErrors{"phone": "err.phone_invalid"}},
		{"landline-like", AccountInput{Phone: "02012345678", Name: "王芳", Password: "gugong-2026", Confirm: "gugong-2026"}, FieldErrors{"phone": "err.phone_invalid"}},
		{"short password", AccountInput{Phone: "13800001234", Name: "王芳", Password: "1234567", Confirm: "1234567"}, FieldErrors{"password": "err.password_too_short"}},
		{"mismatch", AccountInput{Phone: "13800001234", Name: "王芳", Password: "gugong-2026", Confirm: "gugong-2027"}, FieldErrors{"confirm": "err.password_mismatch"}},
		{"weak password", AccountInput{Phone: "13800001234", Name: "王芳", Password: "88888888", Confirm: "88888888"}, FieldErrors{"password": "err.password_weak"}},
		{"phone as password", AccountInput{Phone: "+86 138 0000 1234", Name: "王芳", Password: "13800001234", Confirm: "13800001234"}, FieldErrors{"password": "err.password_weak"}},
		{"long name", AccountInput{Phone: "13800001234", Name: "王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王", Password: "gugong-2026", Confirm: "gugong-2026"}, FieldErrors{"name": "err.too_long"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			got := in.Validate()
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("field %s: got %q, want %q", k, got[k], v)
				}
			}
			if c.name == "valid with +86 and spaces" && in.Phone != "13800001234" {
				t.Fatalf("phone not normalised: %q", in.Phone)
			}
		})
	}
}

func TestMasking(t *testing.T) {
	if got := MaskPhone("13800000004"); got != "138****0004" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskPhone("123"); got != "***" {
		t.Errorf("short MaskPhone = %q", got)
	}
	if got := MaskName("欧阳娜娜"); got != "欧***" {
		t.Errorf("MaskName = %q", got)
	}
	if got := MaskName("王"); got != "王" {
		t.Errorf("MaskName one = %q", got)
	}
}

func place(id uint64, kind PlaceKind, path string) Place {
	return Place{ID: id, Kind: kind, Path: path}
}

func TestValidatePlace(t *testing.T) {
	street := place(1, KindStreet, "/1/")
	community := place(2, KindCommunity, "/1/2/")
	building := place(4, KindBuilding, "/1/2/3/4/")
	household := place(5, KindHousehold, "/1/2/3/4/5/")
	cases := []struct {
		name   string
		in     PlaceInput
		parent *Place
		want   string // field with an error, "" for valid
	}{
		{"street at root", PlaceInput{Kind: KindStreet, Name: "和平街道"}, nil, ""},
		{"community at root", PlaceInput{Kind: KindCommunity, Name: "幸福社区"}, nil, "kind"},
		{"community under street", PlaceInput{Kind: KindCommunity, Name: "幸福社区"}, &street, ""},
		{"building under street", PlaceInput{Kind: KindBuilding, Name: "1号楼"}, &street, "kind"},
		{"compound under community", PlaceInput{Kind: KindCompound, Name: "阳光小区"}, &community, ""},
		{"household under building", PlaceInput{Kind: KindHousehold, Name: "1单元101"}, &building, ""},
		{"nothing under a household", PlaceInput{Kind: KindHousehold, Name: "x"}, &household, "kind"},
		{"unknown kind", PlaceInput{Kind: "planet", Name: "x"}, &street, "kind"},
		{"blank name", PlaceInput{Kind: KindCommunity, Name: "   "}, &street, "name"},
	}
	for _, c := range cases {
		fe := ValidatePlace(c.in, c.parent)
		if c.want == "" && len(fe) != 0 || c.want != "" && fe[c.want] == "" {
			t.Errorf("%s: got %v", c.name, fe)
		}
	}
}

func TestPrincipalPermissions(t *testing.T) {
	street := place(1, KindStreet, "/1/")
	com1 := place(2, KindCommunity, "/1/2/")
	com2 := place(3, KindCommunity, "/1/3/")
	hh1 := place(9, KindHousehold, "/1/2/7/8/9/")
	other := place(20, KindStreet, "/20/")
	grant := func(r Role, p Place) RoleGrant { return RoleGrant{Role: r, PlaceID: p.ID, Place: p} }
	admin := &Principal{Grants: []RoleGrant{grant(RoleAdmin, street)}}
	streetStaff := &Principal{Grants: []RoleGrant{grant(RoleStreetStaff, street)}}
	comStaff := &Principal{Grants: []RoleGrant{grant(RoleCommunityStaff, com1)}}
	convener := &Principal{Grants: []RoleGrant{grant(RoleConvener, com1), grant(RoleResident, hh1)}}
	resident := &Principal{Grants: []RoleGrant{grant(RoleResident, hh1)}}
	var anon *Principal

	type check struct {
		who   string
		p     *Principal
		perm  Permission
		place Place
		want  bool
	}
	checks := []check{
		{"admin", admin, PermManagePlaces, hh1, true},
		{"admin other street", admin, PermManagePlaces, other, false},
		{"street staff in com2", streetStaff, PermPublishNotices, com2, true},
		{"community staff own", comStaff, PermManageResidents, hh1, true},
		{"community staff own community node", comStaff, PermViewAudit, com1, true},
		{"community staff other community", comStaff, PermManageResidents, com2, false},
		{"community staff street", comStaff, PermPublishNotices, street, false},
		{"convener no console", convener, PermConsole, com1, false},
		{"resident no console", resident, PermConsole, hh1, false},
		{"anonymous", anon, PermConsole, street, false},
	}
	for _, c := range checks {
		if got := c.p.Can(c.perm, c.place); got != c.want {
			t.Errorf("%s: Can(%s) = %v", c.who, c.perm, got)
		}
	}

	grants := []struct {
		who   string
		p     *Principal
		role  Role
		place Place
		want  bool
	}{
		{"admin grants admin", admin, RoleAdmin, street, true},
		{"street staff grants community staff", streetStaff, RoleCommunityStaff, com2, true},
		{"street staff cannot grant street staff", streetStaff, RoleStreetStaff, street, false},
		{"street staff cannot grant admin", streetStaff, RoleAdmin, com1, false},
		{"community staff grants convener", comStaff, RoleConvener, com1, true},
		{"community staff cannot grant community staff", comStaff, RoleCommunityStaff, com1, false},
		{"community staff cannot grant in com2", comStaff, RoleConvener, com2, false},
		{"convener cannot grant", convener, RoleCouncilMember, com1, false},
		{"unknown role", admin, Role("king"), street, false},
	}
	for _, g := range grants {
		if got := g.p.CanGrant(g.role, g.place); got != g.want {
			t.Errorf("%s: got %v", g.who, got)
		}
	}

	if hh, ok := convener.ResidentHousehold(); !ok || hh != hh1.ID {
		t.Errorf("ResidentHousehold = %d, %v", hh, ok)
	}
	scopes := (&Principal{Grants: []RoleGrant{grant(RoleCommunityStaff, com1), grant(RoleStreetStaff, street), grant(RoleCommunityStaff, com2)}}).Scopes(PermConsole)
	if len(scopes) != 1 || scopes[0].ID != street.ID {
		t.Errorf("Scopes should collapse to the street: %+v", scopes)
	}
}

func TestAuditChain(t *testing.T) {
	actor := uint64(7)
	entries := []AuditEntry{
		{ID: 1, At: t0, ActorID: &actor, Action: "auth.login", ObjectType: "account", ObjectID: "7", Result: ResultOK},
		{ID: 3, At: t0.Add(time.Second), Action: "place.create", ObjectType: "place", ObjectID: "2", Result: ResultOK},
		{ID: 2, At: t0.Add(2 * time.Second), Action: "role.grant", ObjectType: "account", ObjectID: "7", Detail: "convener", Result: ResultOK},
	}
	prev := chainGenesis
	for i := range entries {
		seq := int64(i + 1)
		entries[i].Seq = &seq
		entries[i].Hash = ChainHash(prev, seq, entries[i])
		prev = entries[i].Hash
	}
	if head, p := VerifyChain(chainGenesis, 1, entries); p != nil || head != prev {
		t.Fatalf("intact chain: %v", p)
	}
	clone := func() []AuditEntry {
		out := make([]AuditEntry, len(entries))
		copy(out, entries)
		for i := range out {
			s := *entries[i].Seq
			out[i].Seq = &s
		}
		return out
	}
	edited := clone()
	edited[1].Detail = "changed"
	if _, p := VerifyChain(chainGenesis, 1, edited); p == nil || p.EntryID != 3 || p.Reason != "hash" {
		t.Fatalf("edit: %v", p)
	}
	deleted := append(clone()[:1], clone()[2:]...)
	if _, p := VerifyChain(chainGenesis, 1, deleted); p == nil || p.EntryID != 2 || p.Reason != "gap" {
		t.Fatalf("delete: %v", p)
	}
	swapped := clone()
	swapped[1], swapped[2] = swapped[2], swapped[1]
	s1, s2 := *swapped[1].Seq, *swapped[2].Seq
	swapped[1].Seq, swapped[2].Seq = &s2, &s1 // reordered rows keep their own seq: a gap
	if _, p := VerifyChain(chainGenesis, 1, swapped); p == nil {
		t.Fatal("reorder not detected")
	}
	reseq := clone()
	reseq[1], reseq[2] = reseq[2], reseq[1]
	a, b := int64(2), int64(3)
	reseq[1].Seq, reseq[2].Seq = &a, &b // seq values swapped to hide the reorder
	if _, p := VerifyChain(chainGenesis, 1, reseq); p == nil || p.Reason != "hash" {
		t.Fatalf("reseq: %v", p)
	}
	// Every field is covered by the hash.
	base := entries[0]
	variants := []func(e *AuditEntry){
		func(e *AuditEntry) { e.At = e.At.Add(time.Nanosecond) },
		func(e *AuditEntry) { other := uint64(8); e.ActorID = &other },
		func(e *AuditEntry) { e.ActorID = nil },
		func(e *AuditEntry) { e.Action = "x" },
		func(e *AuditEntry) { e.ObjectType = "x" },
		func(e *AuditEntry) { e.ObjectID = "8" },
		func(e *AuditEntry) { p := uint64(1); e.PlaceID = &p },
		func(e *AuditEntry) { e.Result = ResultFailed },
		func(e *AuditEntry) { e.Detail = "d" },
		func(e *AuditEntry) { e.ID = 99 },
	}
	for i, v := range variants {
		e := base
		v(&e)
		if ChainHash(chainGenesis, 1, e) == base.Hash {
			t.Errorf("variant %d does not change the hash", i)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct horsE") || CheckPassword("garbage", "x") {
		t.Fatal("password check wrong")
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Fatal("salt not random")
	}
}

func TestTextFieldLength(t *testing.T) {
	for _, c := range []struct {
		s        string
		min, max int
		want     string
	}{
		{"", 0, 10, "err.required"},
		{"", 4, 10, "err.required"},
		{"议事", 4, 10, "err.too_short"},
		{"议事会议", 4, 10, ""},
		{"一", 0, 10, ""},
		{"十个字十个字十个字十", 0, 10, ""},
		{"十一个字十一个字十一个", 0, 10, "err.too_long"},
	} {
		fe := FieldErrors{}
		fe.Text("f", c.s, c.min, c.max)
		if fe["f"] != c.want {
			t.Errorf("Text(%q, %d, %d) = %q, want %q", c.s, c.min, c.max, fe["f"], c.want)
		}
	}
}

// TestChainHashEncoding pins the hash of two entries: seals already stored
// were made with this encoding, so a change to it would make every existing
// trail fail verification.
func TestChainHashEncoding(t *testing.T) {
	actor, place := uint64(7), uint64(42)
	full := AuditEntry{ID: 1234, At: time.Date(2026, 3, 4, 5, 6, 7, 890000000, time.UTC), ActorID: &actor, Action: "ballot.vote",
		ObjectType: "ballot", ObjectID: "9", PlaceID: &place, Result: "ok", Detail: "议事 detail; with: separators"}
	if got := ChainHash("prevhash", 17, full); got != "7e1f0c19d6b2aa284f17c17373a68a344fe47b93249e124eb8e04b68fa801ffe" {
		t.Errorf("full entry: %s", got)
	}
	bare := AuditEntry{ID: 1, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Action: "x"}
	if got := ChainHash(chainGenesis, 1, bare); got != "eda8070f74e7a4e18cc5313caf8b934cee0b869850ec520ec52f94a01b044c8b" {
		t.Errorf("entry without actor or place: %s", got)
	}
}

func TestAssignNoteRoundTrip(t *testing.T) {
	due := time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC)
	for _, owner := range []string{"王师傅", "Li · Ming", ""} {
		got, at, ok := ParseAssignNote(assignNote(owner, due))
		if !ok || got != owner || !at.Equal(due) {
			t.Errorf("%q: got %q %v %v", owner, got, at, ok)
		}
	}
	for _, note := range []string{"", "王师傅", "王师傅 · 下周", "王师傅 · 2026-12-15"} {
		if _, _, ok := ParseAssignNote(note); ok {
			t.Errorf("%q read as an assignment", note)
		}
	}
}

func TestMayFollow(t *testing.T) {
	staff := &Principal{Account: Account{ID: 7}}
	for _, c := range []struct {
		p         *Principal
		see, want bool
	}{
		{nil, false, true}, // a visitor: signing in may open it
		{nil, true, true},
		{staff, false, false}, // a signed-in viewer gets no dead end
		{staff, true, true},
	} {
		if got := MayFollow(c.p, c.see); got != c.want {
			t.Errorf("MayFollow(signed in %v, see %v) = %v", c.p != nil, c.see, got)
		}
	}
}
