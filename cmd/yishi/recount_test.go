package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// closedBoard runs a small secret budget ballot through the store and
// returns its board.json.
func closedBoard(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	clock := modeltest.NewClock(modeltest.Start)
	s := modeltest.Open(t, "sqlite", clock.Now)
	street := models.Place{Kind: models.KindStreet, Name: "街道", Path: "/"}
	if err := s.Tx(ctx).Create(&street).Error; err != nil {
		t.Fatal(err)
	}
	street.Path = fmt.Sprintf("/%d/", street.ID)
	s.Tx(ctx).Model(&street).Update("path", street.Path)
	admin := models.Account{Phone: "13900000000", Name: "管理员"}
	if err := s.Tx(ctx).Create(&admin).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRoleAsSystem(ctx, admin.ID, models.RoleAdmin, street.ID); err != nil {
		t.Fatal(err)
	}
	ap, err := s.LoadPrincipal(ctx, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(parent models.Place, kind models.PlaceKind, name string) models.Place {
		p, err := s.CreatePlace(ctx, ap, models.PlaceInput{ParentID: parent.ID, Kind: kind, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	com := mk(street, models.KindCommunity, "社区")
	group := mk(com, models.KindGroup, "一组")
	var cands []models.Candidate
	for i, cost := range []int64{300, 500, 200} {
		c, err := s.CreateCandidate(ctx, ap, models.CandidateInput{PlaceID: com.ID, Title: fmt.Sprintf("项目%d", i+1), CostFen: cost, Kind: models.CandidateGoods}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c, err = s.ReviewCandidate(ctx, ap, c.ID, models.ReviewInput{Feasible: true, Reason: "在上限以内"}); err != nil {
			t.Fatal(err)
		}
		cands = append(cands, c)
	}
	var voters []*models.Principal
	for i := 0; i < 4; i++ {
		hh := mk(group, models.KindHousehold, fmt.Sprintf("%d号", i+1))
		a := models.Account{Phone: fmt.Sprintf("1370000000%d", i), Name: "居民"}
		s.Tx(ctx).Create(&a)
		if err := s.GrantRoleAsSystem(ctx, a.ID, models.RoleResident, hh.ID); err != nil {
			t.Fatal(err)
		}
		p, _ := s.LoadPrincipal(ctx, a.ID)
		voters = append(voters, p)
	}
	b, err := s.CreateBallot(ctx, ap, models.BallotInput{PlaceID: com.ID, Title: "票决", Electorate: models.ElectorateAdults, Method: models.MethodBudget,
		BudgetFen: 800, Secret: true, OpensAt: clock.Now().Add(time.Hour), ClosesAt: clock.Now().Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if err := s.AddCandidate(ctx, ap, b.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	for i, v := range voters {
		ch := models.Choices{cands[i%3].ID}
		if i == 0 {
			ch = models.Choices{cands[0].ID, cands[1].ID}
		}
		if _, err := s.CastVote(ctx, v, b.ID, ch); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	data, err := s.BoardJSON(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRecount(t *testing.T) {
	data := closedBoard(t)
	c := newCLI(t)
	write := func(name string, edit func(f *models.BoardFile)) string {
		f, err := models.ParseBoard(data)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(&f)
		}
		out, _ := json.Marshal(f)
		path := filepath.Join(c.dir, name)
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r := c.ok("recount", write("good.json", nil))
	if !strings.Contains(r.stdout, "OK") || !strings.Contains(r.stdout, "ballots counted 4") || !strings.Contains(r.stdout, "stated outcome") {
		t.Fatalf("good board: %s", r.stdout)
	}
	// Votes 2, 2, 1 for costs 3, 5 and 2 yuan within 8: the first two fit
	// exactly, the third no longer does.
	f, err := models.ParseBoard(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Outcome == nil || !f.Outcome.Valid || len(f.Outcome.Winners) != 2 || f.Outcome.Winners[0] != f.Candidates[0].ID || f.Outcome.Winners[1] != f.Candidates[1].ID {
		t.Fatalf("stated outcome %+v", f.Outcome)
	}
	c.fails([]string{"MISMATCH", "winners"}, "recount", write("winners.json", func(f *models.BoardFile) {
		f.Outcome.Winners = []uint64{f.Candidates[0].ID, f.Candidates[2].ID}
	}))
	c.fails([]string{"MISMATCH", "turnout"}, "recount", write("turnout.json", func(f *models.BoardFile) {
		f.Outcome.Valid = false
		f.Outcome.Winners = nil
	}))
	// A board from before outcomes were stated is still recounted.
	r = c.ok("recount", write("no-outcome.json", func(f *models.BoardFile) { f.Outcome = nil }))
	if !strings.Contains(r.stdout, "no outcome to check") {
		t.Fatalf("board without an outcome: %s", r.stdout)
	}
	lastVote := func(f *models.BoardFile) *models.BoardEntry { return &f.Entries[len(f.Entries)-1] }
	c.fails([]string{"MISMATCH", "hash"}, "recount", write("edited.json", func(f *models.BoardFile) {
		e := lastVote(f)
		if e.Choices == fmt.Sprint(f.Candidates[2].ID) {
			e.Choices = fmt.Sprint(f.Candidates[1].ID)
		} else {
			e.Choices = fmt.Sprint(f.Candidates[2].ID)
		}
	}))
	c.fails([]string{"MISMATCH", "chain"}, "recount", write("deleted.json", func(f *models.BoardFile) {
		f.Entries = append(f.Entries[:5:5], f.Entries[6:]...)
		for i := 5; i < len(f.Entries); i++ {
			f.Entries[i].Seq = i + 1
		}
	}))
	c.fails([]string{"MISMATCH"}, "recount", write("dropped-tail.json", func(f *models.BoardFile) {
		f.Entries = f.Entries[:len(f.Entries)-1]
	}))
	c.fails([]string{"MISMATCH", "stated"}, "recount", write("totals.json", func(f *models.BoardFile) {
		f.Totals.Candidates[0].Votes++
		f.Totals.Candidates[0].Points++
	}))
	// Re-chaining an edited board does not help: the head is stated apart.
	c.fails([]string{"MISMATCH", "head"}, "recount", write("rechained.json", func(f *models.BoardFile) {
		lastVote(f).Choices = fmt.Sprint(f.Candidates[2].ID) + "," + fmt.Sprint(f.Candidates[0].ID)
		head := f.Head
		models.ChainBoard(f.Fingerprint, f.Entries)
		f.Head = head
	}))
	c.fails([]string{"no board file"}, "recount")
	junk := filepath.Join(c.dir, "junk.json")
	if err := os.WriteFile(junk, []byte("<html>not json</html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.fails([]string{"not a ballot board"}, "recount", junk)
}
