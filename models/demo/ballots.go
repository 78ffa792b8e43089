package demo

import (
	"context"
	"time"

	"yishi/models"
)

// demoBallots runs three micro-project ballots in community 1 through the
// store, with a clock set back where the story needs it: one closed,
// published and funded a month ago; one open now on a budget that demo
// residents 13800000004 and 13800000005 have not voted in yet; one
// scheduled for next week.
func demoBallots(ctx context.Context, store *models.Store, at map[string]models.Place, accounts map[string]models.Account, now time.Time) error {
	clock := now
	ds := models.NewStore(store.DB(), func() time.Time { return clock })
	load := func(phone string) (*models.Principal, error) { return ds.LoadPrincipal(ctx, accounts[phone].ID) }
	staff, err := load("13800000002")
	if err != nil {
		return err
	}
	street, err := load("13800000001")
	if err != nil {
		return err
	}
	com := at["community1"]
	candidate := func(in models.CandidateInput, feasible bool, reason string) (models.Candidate, error) {
		in.PlaceID = com.ID
		c, err := ds.CreateCandidate(ctx, staff, in, nil)
		if err != nil {
			return c, err
		}
		return ds.ReviewCandidate(ctx, staff, c.ID, models.ReviewInput{Feasible: feasible, Reason: reason})
	}
	ballot := func(in models.BallotInput, cands []models.Candidate) (models.Ballot, error) {
		in.PlaceID = com.ID
		b, err := ds.CreateBallot(ctx, staff, in)
		if err != nil {
			return b, err
		}
		for _, c := range cands {
			if err := ds.AddCandidate(ctx, staff, b.ID, c.ID); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	day := 24 * time.Hour

	// Last month's ballot: closed, published, funded.
	clock = now.Add(-40 * day)
	var past []models.Candidate
	for _, in := range []models.CandidateInput{
		{Title: "幸福社区健身角器材更新", Description: "更换 8 件老化健身器材，加装防滑地垫。", CostFen: 60_000_00, Kind: models.CandidateGoods},
		{Title: "3 号楼单元门禁维修", Description: "维修 3 号楼 4 个单元的门禁和闭门器。", CostFen: 35_000_00, Kind: models.CandidateWorks},
		{Title: "长者助餐点餐具与保温设备", Description: "为长者助餐点购置保温餐车和餐具。", CostFen: 40_000_00, Kind: models.CandidateGoods},
		{Title: "儿童暑期托管服务", Description: "暑期四周的公益托管，由社工机构承接。", CostFen: 45_000_00, Kind: models.CandidateService},
	} {
		c, err := candidate(in, true, "符合民生微实事范围，预算在上限以内。")
		if err != nil {
			return err
		}
		past = append(past, c)
	}
	if _, err := candidate(models.CandidateInput{Title: "小区绿化带日常养护", Description: "修剪绿化带、补种草皮。", CostFen: 20_000_00, Kind: models.CandidateService},
		false, "属于物业服务企业的职责，由物业按合同承担。"); err != nil {
		return err
	}
	pb, err := ballot(models.BallotInput{Title: "幸福社区上半年民生微实事票决", Description: "在 10 万元预算内，选出居民最需要的小微项目。",
		Electorate: models.ElectorateAdults, Method: models.MethodBudget, BudgetFen: 100_000_00,
		OpensAt: clock.Add(2 * day), ClosesAt: clock.Add(9 * day), TurnoutPct: 0}, past)
	if err != nil {
		return err
	}
	clock = pb.OpensAt.Add(3 * time.Hour)
	votes := []struct {
		phone string
		picks []int
	}{
		{"13800000003", []int{0, 2}},
		{"13800000004", []int{2, 1}},
		{"13800000006", []int{0, 1}},
		{"13800000007", []int{2, 3}},
	}
	ids := func(cands []models.Candidate, picks []int) models.Choices {
		var out models.Choices
		for _, i := range picks {
			out = append(out, cands[i].ID)
		}
		return out
	}
	for _, v := range votes {
		p, err := load(v.phone)
		if err != nil {
			return err
		}
		if _, err := ds.CastVote(ctx, p, pb.ID, ids(past, v.picks)); err != nil {
			return err
		}
		clock = clock.Add(5 * time.Hour)
	}
	// Two elderly residents without accounts voted on paper; a second staff
	// member checked both slips.
	roll, _, err := ds.Roll(ctx, staff, pb.ID, "", 1, 200)
	if err != nil {
		return err
	}
	entered := 0
	for _, r := range roll {
		if entered == 2 || r.Channel != "" || r.VoterKey[0] != 'r' {
			continue
		}
		pv, _, err := ds.EnterPaperVote(ctx, staff, pb.ID, r.VoterKey, ids(past, []int{entered * 2, 1}))
		if err != nil {
			return err
		}
		if err := ds.ConfirmPaperVote(ctx, street, pv.ID); err != nil {
			return err
		}
		entered++
	}
	clock = pb.ClosesAt.Add(time.Hour)
	if _, err := ds.CloseAndTally(ctx, staff, pb.ID); err != nil {
		return err
	}
	clock = clock.Add(2 * time.Hour)
	if _, err := ds.PublishResult(ctx, staff, pb.ID, models.NoticeInput{PeriodDays: 7, AllowObjections: true}); err != nil {
		return err
	}
	clock = clock.Add(8 * day)
	if _, err := ds.FundCandidates(ctx, staff, pb.ID); err != nil {
		return err
	}

	// This week's ballot: open, on a budget; the demo residents have not voted.
	clock = now.Add(-2 * day)
	var open []models.Candidate
	for _, in := range []models.CandidateInput{
		{Title: "楼道声控灯更换", Description: "更换 1 至 3 号楼楼道的声控灯，共 72 盏。", CostFen: 18_000_00, Kind: models.CandidateGoods},
		{Title: "老旧小区加装扶手", Description: "在 6 个单元的楼梯加装不锈钢扶手，方便老人上下楼。", CostFen: 42_000_00, Kind: models.CandidateWorks},
		{Title: "社区议事厅适老化改造", Description: "更换座椅、增加扩音设备和防滑地面。", CostFen: 55_000_00, Kind: models.CandidateWorks},
		{Title: "独居老人每周探访", Description: "社工每周上门探访一次，持续一年。", CostFen: 30_000_00, Kind: models.CandidateService},
		{Title: "垃圾分类宣传与督导", Description: "三个月的桶边督导和入户宣传。", CostFen: 12_000_00, Kind: models.CandidateService},
	} {
		c, err := candidate(in, true, "符合民生微实事范围，预算在上限以内。")
		if err != nil {
			return err
		}
		open = append(open, c)
	}
	ob, err := ballot(models.BallotInput{Title: "幸福社区下半年民生微实事票决", Description: "预算 10 万元。请在预算内选择您支持的项目，每人一票，投出后不能更改。",
		Electorate: models.ElectorateAdults, Method: models.MethodBudget, BudgetFen: 100_000_00,
		OpensAt: clock.Add(time.Hour), ClosesAt: now.Add(5 * day), TurnoutPct: 30, Secret: true}, open)
	if err != nil {
		return err
	}
	clock = ob.OpensAt.Add(2 * time.Hour)
	for i, phone := range []string{"13800000006", "13800000007"} {
		p, err := load(phone)
		if err != nil {
			return err
		}
		if _, err := ds.CastVote(ctx, p, ob.ID, ids(open, []int{i, 3, 4})); err != nil {
			return err
		}
		clock = clock.Add(7 * time.Hour)
	}

	// Next week's ballot: scheduled, yes or no on one project.
	clock = now
	c, err := candidate(models.CandidateInput{Title: "小区增设电动自行车充电棚", Description: "在 2 号楼北侧增设带充电桩的车棚，解决楼道充电隐患。",
		CostFen: 150_000_00, Kind: models.CandidateWorks}, true, "消除消防隐患，预算在工程类上限以内。")
	if err != nil {
		return err
	}
	_, err = ballot(models.BallotInput{Title: "是否增设电动自行车充电棚", Description: "请户代表表决：是否同意在 2 号楼北侧增设充电棚。",
		Electorate: models.ElectorateHouseholds, Method: models.MethodYesNo, OpensAt: now.Add(7 * day), ClosesAt: now.Add(14 * day), TurnoutPct: 50},
		[]models.Candidate{c})
	return err
}
