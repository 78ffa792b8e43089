package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 10.

type m10Candidate struct {
	ID           uint64  `gorm:"primaryKey"`
	PlaceID      uint64  `gorm:"not null;index"`
	Title        string  `gorm:"size:120;not null"`
	Description  string  `gorm:"type:text;not null"`
	CostFen      int64   `gorm:"not null"`
	Kind         string  `gorm:"size:16;not null"`
	Source       string  `gorm:"size:16;not null"`
	NeedID       *uint64 `gorm:"index"`
	Status       string  `gorm:"size:16;not null;index"`
	Reason       string  `gorm:"size:1000;not null"`
	Exclusions   string  `gorm:"size:100;not null"`
	ProposedByID *uint64
	ReviewedByID *uint64
	ReviewedAt   *time.Time
	ProjectID    *uint64
	CreatedAt    time.Time `gorm:"index"`
	UpdatedAt    time.Time
}

func (m10Candidate) TableName() string { return "candidates" }

type m10CandidatePhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	CandidateID uint64 `gorm:"not null;index"`
	ContentType string `gorm:"size:32;not null"`
	Data        []byte `gorm:"not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	CreatedAt   time.Time
}

func (m10CandidatePhoto) TableName() string { return "candidate_photos" }

type m10Ballot struct {
	ID             uint64    `gorm:"primaryKey"`
	PlaceID        uint64    `gorm:"not null;index"`
	Title          string    `gorm:"size:120;not null"`
	Description    string    `gorm:"type:text;not null"`
	Electorate     string    `gorm:"size:20;not null"`
	Method         string    `gorm:"size:12;not null"`
	MinChoices     int       `gorm:"not null"`
	MaxChoices     int       `gorm:"not null"`
	BudgetFen      int64     `gorm:"not null"`
	RankK          int       `gorm:"not null"`
	Seats          int       `gorm:"not null"`
	OpensAt        time.Time `gorm:"not null;index"`
	ClosesAt       time.Time `gorm:"not null;index"`
	TurnoutPct     int       `gorm:"not null"`
	Secret         bool      `gorm:"not null"`
	FrozenAt       *time.Time
	Fingerprint    string `gorm:"size:64;not null"`
	ElectorateSize int    `gorm:"not null"`
	Amendments     int    `gorm:"not null"`
	NoticeID       *uint64
	FundedAt       *time.Time
	CreatedByID    uint64 `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (m10Ballot) TableName() string { return "ballots" }

type m10BallotCandidate struct {
	BallotID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CandidateID uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	Position    int    `gorm:"not null"`
}

func (m10BallotCandidate) TableName() string { return "ballot_candidates" }

type m10BallotVoter struct {
	BallotID   uint64  `gorm:"primaryKey;autoIncrement:false"`
	VoterKey   string  `gorm:"primaryKey;size:24"`
	PlaceID    uint64  `gorm:"not null"`
	AreaID     uint64  `gorm:"not null"`
	AccountID  *uint64 `gorm:"index"`
	ResidentID *uint64
	Amended    bool `gorm:"not null"`
}

func (m10BallotVoter) TableName() string { return "ballot_voters" }

type m10BallotAmendment struct {
	ID       uint64    `gorm:"primaryKey"`
	BallotID uint64    `gorm:"not null;index"`
	VoterKey string    `gorm:"size:24;not null"`
	Reason   string    `gorm:"size:1000;not null"`
	ActorID  uint64    `gorm:"not null"`
	At       time.Time `gorm:"not null"`
}

func (m10BallotAmendment) TableName() string { return "ballot_amendments" }

// m10BallotParticipation is who voted (and, only for public ballots, how):
// the unique (ballot_id, voter_key) is the database's guard against a
// second vote in any channel.
type m10BallotParticipation struct {
	ID            uint64 `gorm:"primaryKey"`
	BallotID      uint64 `gorm:"not null;uniqueIndex:ux_ballot_participations,priority:1"`
	VoterKey      string `gorm:"size:24;not null;uniqueIndex:ux_ballot_participations,priority:2"`
	Receipt       string `gorm:"size:16;not null;uniqueIndex"`
	Channel       string `gorm:"size:8;not null"`
	Pending       bool   `gorm:"not null"`
	AreaID        uint64 `gorm:"not null"`
	Choices       string `gorm:"size:400;not null"`
	EnteredByID   *uint64
	ConfirmedByID *uint64
	At            time.Time `gorm:"not null"`
}

func (m10BallotParticipation) TableName() string { return "ballot_participations" }

// m10BallotVote is one set of choices with nothing that points at a voter:
// a random key, the ballot, the choices; no time.
type m10BallotVote struct {
	ID       string `gorm:"primaryKey;size:32"`
	BallotID uint64 `gorm:"not null;index"`
	Choices  string `gorm:"size:400;not null"`
}

func (m10BallotVote) TableName() string { return "ballot_votes" }

type m10BallotPaperVote struct {
	ID            uint64 `gorm:"primaryKey"`
	BallotID      uint64 `gorm:"not null;index"`
	VoterKey      string `gorm:"size:24;not null"`
	Choices       string `gorm:"size:400;not null"`
	EnteredByID   uint64 `gorm:"not null"`
	EnteredAt     time.Time
	ConfirmedByID *uint64
	ConfirmedAt   *time.Time
}

func (m10BallotPaperVote) TableName() string { return "ballot_paper_votes" }

type m10BallotResult struct {
	BallotID   uint64    `gorm:"primaryKey;autoIncrement:false"`
	ComputedAt time.Time `gorm:"not null"`
	Electorate int       `gorm:"not null"`
	Voted      int       `gorm:"not null"`
	Online     int       `gorm:"not null"`
	Paper      int       `gorm:"not null"`
	Kiosk      int       `gorm:"not null"`
	No         int64     `gorm:"not null"`
	Valid      bool      `gorm:"not null"`
	DrawSeed   string    `gorm:"size:24;not null"`
	Data       string    `gorm:"type:text;not null"`
	BoardHead  string    `gorm:"size:64;not null"`
}

func (m10BallotResult) TableName() string { return "ballot_results" }

type m10BallotBoard struct {
	BallotID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq      int    `gorm:"primaryKey;autoIncrement:false"`
	Kind     string `gorm:"size:8;not null"`
	Receipt  string `gorm:"size:16;not null"`
	Choices  string `gorm:"size:400;not null"`
	Prev     string `gorm:"size:64;not null"`
	Hash     string `gorm:"size:64;not null"`
}

func (m10BallotBoard) TableName() string { return "ballot_board" }

func m0010(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(
		&m10Candidate{}, &m10CandidatePhoto{}, &m10Ballot{}, &m10BallotCandidate{}, &m10BallotVoter{}, &m10BallotAmendment{},
		&m10BallotParticipation{}, &m10BallotPaperVote{}, &m10BallotResult{}, &m10BallotBoard{},
	); err != nil {
		return err
	}
	if tx.Dialector.Name() == "sqlite" {
		// WITHOUT ROWID: the rows are stored in the order of their random
		// key, so not even a hidden rowid keeps the order votes came in.
		if err := tx.Exec(`CREATE TABLE ballot_votes (id TEXT NOT NULL PRIMARY KEY, ballot_id INTEGER NOT NULL, choices TEXT NOT NULL) WITHOUT ROWID`).Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE INDEX idx_ballot_votes_ballot_id ON ballot_votes (ballot_id)`).Error
	}
	return tx.Migrator().CreateTable(&m10BallotVote{})
}
