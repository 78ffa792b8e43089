package models

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// AuditEntry is one line of the audit trail (留痕): who did what to which
// object at which place, when, and with what result. The app only ever
// inserts entries. A sealer later gives each entry its place in a hash chain
// (Seq, Hash), so that editing, deleting or reordering a sealed row is found
// by `yishi audit verify`. Sealing in batches keeps ordinary writes from
// queueing behind one another.
type AuditEntry struct {
	ID         uint64 `gorm:"primaryKey"`
	At         time.Time
	ActorID    *uint64
	Action     string
	ObjectType string
	ObjectID   string
	PlaceID    *uint64
	Result     string
	Detail     string
	// The entry's seal (audit_seals), when a query joins it: the row in
	// audit_entries is written once and never changed.
	Seq  *int64 `gorm:"->;-:migration"`
	Hash string `gorm:"->;-:migration"`
}

// Audit results.
const (
	ResultOK     = "ok"
	ResultDenied = "denied"
	ResultFailed = "failed"
)

// chainGenesis is the hash before the first entry.
const chainGenesis = "yishi-audit-genesis"

// ChainHash returns the hash of entry e sealed at position seq after prev.
// Every field of the entry goes in, each length-prefixed so no two entries
// can encode alike.
func ChainHash(prev string, seq int64, e AuditEntry) string {
	// The encoding is "len:value;" per field, built in one buffer: the
	// sealer hashes every entry, and fmt cost more than the hash.
	buf := make([]byte, 0, 256+len(prev)+len(e.Detail))
	field := func(s string) {
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		buf = append(buf, ';')
	}
	opt := func(p *uint64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatUint(*p, 10)
	}
	field(prev)
	field(strconv.FormatInt(seq, 10))
	field(strconv.FormatUint(e.ID, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(opt(e.ActorID))
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(opt(e.PlaceID))
	field(e.Result)
	field(e.Detail)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// ChainProblem describes the first sealed entry that does not verify.
type ChainProblem struct {
	Seq     int64
	EntryID uint64
	Reason  string // "hash", "gap", "order", "lost"
}

func (p *ChainProblem) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d (entry %d): %s", p.Seq, p.EntryID, p.Reason)
}

// VerifyChain walks sealed entries in Seq order, starting after prev at
// position start-1, and returns the hash of the last one or the first problem.
func VerifyChain(prev string, start int64, entries []AuditEntry) (string, *ChainProblem) {
	want := start
	for _, e := range entries {
		if e.Seq == nil {
			return prev, &ChainProblem{Seq: want, EntryID: e.ID, Reason: "order"}
		}
		if *e.Seq != want {
			return prev, &ChainProblem{Seq: want, EntryID: e.ID, Reason: "gap"}
		}
		if ChainHash(prev, want, e) != e.Hash {
			return prev, &ChainProblem{Seq: want, EntryID: e.ID, Reason: "hash"}
		}
		prev = e.Hash
		want++
	}
	return prev, nil
}
