package web_test

import (
	"testing"

	"yishi/models"
)

func init() {
	matrix = append(matrix,
		matrixRoute{"GET", "/inbox", signedIn()},
		matrixRoute{"GET", "/inbox?page=2", signedIn()},
		matrixRoute{"POST", "/inbox/read-all", signedIn()},
		// Only its owner may open (and so mark read) a notification.
		matrixRoute{"POST", "/inbox/{note1}/read", only(resident)},
		matrixRoute{"POST", "/inbox/{note2}/read", only(staff2)},
	)
}

func init() { matrixFixtures = append(matrixFixtures, notifyMatrixIDs) }

// notifyMatrixIDs puts a notification in the inbox of the resident of
// community 1 ({note1}) and of the staff of community 2 ({note2}).
func notifyMatrixIDs(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	for name, phone := range map[string]string{"note1": actorPhones[resident], "note2": actorPhones[staff2]} {
		a, err := s.AccountByPhone(bg, phone)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Notify(bg, nil, []uint64{a.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: 1,
			Key: "notify.need_status.accepted", Args: []string{"1"}, Link: "/profile"})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := s.Inbox(bg, &models.Principal{Account: a}, 1, 1)
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("inbox of %s: %v", phone, err)
		}
		setID(t, ids, name, pg.Items[0].ID)
	}
}
