package demo

import (
	"context"
	"fmt"
	"time"

	"yishi/models"
)

// CouncilAccounts are the demo members of 幸福社区居民议事会 who have no other
// demo role: seven residents' members and the property manager, who sits in
// as a guest without a vote. The README lists the council.
var CouncilAccounts = []struct{ Phone, Name string }{
	{"13800000040", "周建华"}, {"13800000041", "吴秀英"}, {"13800000042", "郑国强"}, {"13800000043", "王丽娟"},
	{"13800000044", "冯志明"}, {"13800000045", "陈玉梅"}, {"13800000046", "褚卫东"}, {"13800000047", "物业孙经理"},
}

// CouncilName is the demo council of community 1.
const CouncilName = "幸福社区居民议事会"

// demoCouncil sets up the residents' council of community 1 through the
// store, with a clock set back where the story needs it: twelve members
// convened by 13800000003 (the community staff member as secretary, the
// property manager as a guest), six topics at every step (one from a need,
// co-signed, accepted, merged, declined, waiting), a meeting held nine
// days ago whose signed minutes and resolutions are published, and a
// meeting announced yesterday for five days' time with three items and
// research on them.
func demoCouncil(ctx context.Context, store *models.Store, at map[string]models.Place, accounts map[string]models.Account, now time.Time) error {
	clock := now.Add(-20 * 24 * time.Hour)
	ds := models.NewStore(store.DB(), func() time.Time { return clock })
	load := func(phone string) (*models.Principal, error) { return ds.LoadPrincipal(ctx, accounts[phone].ID) }
	staff, err := load("13800000002")
	if err != nil {
		return err
	}
	convener, err := load("13800000003")
	if err != nil {
		return err
	}
	council, err := ds.CreateCouncil(ctx, staff, models.CouncilInput{PlaceID: at["community1"].ID, Kind: models.CouncilResidents, Name: CouncilName})
	if err != nil {
		return err
	}
	seats := []struct {
		phone string
		role  models.MemberRole
	}{{"13800000003", models.MemberConvener}, {"13800000002", models.MemberSecretary}, {"13800000006", models.MemberRegular}, {"13800000007", models.MemberRegular}}
	for _, a := range CouncilAccounts {
		role := models.MemberRegular
		if a.Phone == "13800000047" {
			role = models.MemberGuest
		}
		seats = append(seats, struct {
			phone string
			role  models.MemberRole
		}{a.Phone, role})
	}
	for _, st := range seats {
		if _, err := ds.AddCouncilMember(ctx, staff, council.ID, st.phone, st.role); err != nil {
			return fmt.Errorf("seat %s: %w", st.phone, err)
		}
	}

	// Topics, a day apart.
	chen, err := load("13800000004")
	if err != nil {
		return err
	}
	liu, err := load("13800000005")
	if err != nil {
		return err
	}
	zhao, err := load("13800000006")
	if err != nil {
		return err
	}
	var need models.Need
	if err := ds.Tx(ctx).Where("filer_id = ? AND public = ?", chen.Account.ID, true).Order("id").Limit(1).Find(&need).Error; err != nil {
		return err
	}
	if need.ID == 0 {
		return fmt.Errorf("demo council: no public need of %s to turn into a topic", chen.Account.Phone)
	}
	list := []struct {
		by    *models.Principal
		title string
		body  string
		need  uint64
	}{
		{chen, "阳光小区规划增设停车位", "小区车位太少，晚上车辆停在消防通道上，既不安全也影响通行。建议把东侧闲置绿地的一部分改成停车位，并划线管理。", 0},
		{liu, "3号楼加装电梯", "3号楼住户以老人为主，上下楼困难。2单元已有85%住户同意加装电梯，希望议事会协调费用分摊和施工方案。", 0},
		{zhao, "垃圾分类亭改造", "垃圾分类亭破旧漏雨，周围气味大。建议改造为带顶棚和洗手池的新分类亭，并调整清运时间。", 0},
		{liu, "东侧停车难问题", "每天晚上回来都找不到车位，只能停到小区外面，希望议事会研究解决。", 0},
		{chen, "由需求转来：" + shortTitle(need.Description), need.Description + "（该需求涉及多户居民，提请议事会协商。）", need.ID},
		{zhao, "在小区内开设棋牌室", "希望把物业用房改成棋牌室，供居民娱乐。", 0},
	}
	var topics []models.Topic
	for _, t := range list {
		in := models.TopicInput{Title: t.title, Body: t.body, NeedID: t.need}
		tp, err := ds.SubmitTopic(ctx, t.by, council.ID, in)
		if err != nil {
			return fmt.Errorf("topic %q: %w", t.title, err)
		}
		topics = append(topics, tp)
		clock = clock.Add(24 * time.Hour)
	}
	for _, c := range []struct {
		by    *models.Principal
		topic int
	}{{liu, 0}, {zhao, 0}, {chen, 1}, {zhao, 1}, {chen, 2}, {liu, 4}} {
		if err := ds.CosignTopic(ctx, c.by, topics[c.topic].ID); err != nil {
			return err
		}
	}
	for _, i := range []int{0, 1, 2} {
		if _, err := ds.AcceptTopic(ctx, convener, topics[i].ID); err != nil {
			return err
		}
	}
	if _, err := ds.MergeTopic(ctx, convener, topics[3].ID, topics[0].ID); err != nil {
		return err
	}
	if _, err := ds.DeclineTopic(ctx, convener, topics[5].ID, "物业用房的用途须经业主大会决定，已转业主委员会研究，不列入本次议事。"); err != nil {
		return err
	}
	// topics[4], from a need, waits for the convener.

	// Last month's meeting, held and closed, with its minutes published.
	if err := pastMeeting(ctx, ds, &clock, load, council, topics, now); err != nil {
		return fmt.Errorf("past meeting: %w", err)
	}

	// The meeting: drafted three days ago, announced yesterday.
	clock = now.Add(-3 * 24 * time.Hour)
	starts := time.Date(now.Year(), now.Month(), now.Day(), 11, 0, 0, 0, time.UTC).Add(5 * 24 * time.Hour) // 19:00 in Shanghai
	m, err := ds.CreateMeeting(ctx, convener, council.ID, models.MeetingInput{Title: "十二月居民议事会", StartsAt: starts, Location: "幸福社区党群服务中心二楼会议室", OnlineURL: ""})
	if err != nil {
		return err
	}
	for _, it := range []struct {
		topic   int
		minutes int
	}{{1, 40}, {0, 30}, {2, 20}} {
		if err := ds.AddAgendaItem(ctx, convener, m.ID, topics[it.topic].ID, it.minutes); err != nil {
			return err
		}
	}
	v, err := ds.MeetingByID(ctx, convener, m.ID)
	if err != nil {
		return err
	}
	research := []models.ResearchInput{
		{Note: "走访3号楼2单元24户，20户同意加装，4户（一楼）担心采光和噪音。电梯公司现场勘查，可在楼北侧加装。", CostFen: 68000000, Canvassed: 24},
		{Note: "现场查看东侧绿地约600平方米，可改建停车位约30个；需征求全体业主意见并报街道审批。", CostFen: 18000000, Canvassed: 40},
		{Note: "请环卫所报价：新建带顶棚、洗手池的分类亭2座。", CostFen: 9600000,
			FileName: "分类亭报价.txt", FileType: "text/plain", FileData: []byte("幸福社区垃圾分类亭改造报价\n带顶棚分类亭 2座 × 42000元\n洗手池及管道 12000元\n合计 96000元\n")},
	}
	for i, r := range research {
		if _, err := ds.AddResearch(ctx, zhao, m.ID, v.Items[i].ID, r); err != nil {
			return err
		}
	}
	clock = now.Add(-24 * time.Hour)
	_, err = ds.AnnounceMeeting(ctx, convener, m.ID, time.FixedZone("CST", 8*3600))
	return err
}

func shortTitle(s string) string {
	r := []rune(s)
	if len(r) > 16 {
		return string(r[:16]) + "…"
	}
	return s
}

// pastMeeting holds last month's meeting of the demo council nine days
// before now: announced with two accepted topics on its agenda, nine of
// eleven voting members and the guest present (most by the room's code, two
// marked by the secretary), a motion adopted by members' votes, one adopted
// and one rejected by a show of hands; then its minutes are written,
// finalised, signed off by the convener and published with a seven-day
// publicity period that is still running. clock is the demo store's clock.
func pastMeeting(ctx context.Context, ds *models.Store, clock *time.Time, load func(string) (*models.Principal, error), council models.Council, topics []models.Topic, now time.Time) error {
	convener, err := load("13800000003")
	if err != nil {
		return err
	}
	secretary, err := load("13800000002")
	if err != nil {
		return err
	}
	zhao, err := load("13800000006")
	if err != nil {
		return err
	}
	*clock = now.Add(-14 * 24 * time.Hour)
	day := now.Add(-9 * 24 * time.Hour)
	starts := time.Date(day.Year(), day.Month(), day.Day(), 11, 0, 0, 0, time.UTC) // 19:00 in Shanghai
	m, err := ds.CreateMeeting(ctx, convener, council.ID, models.MeetingInput{Title: "十一月居民议事会", StartsAt: starts, Location: "幸福社区党群服务中心二楼会议室"})
	if err != nil {
		return err
	}
	for _, it := range []struct{ topic, minutes int }{{1, 40}, {0, 30}} {
		if err := ds.AddAgendaItem(ctx, convener, m.ID, topics[it.topic].ID, it.minutes); err != nil {
			return err
		}
	}
	v, err := ds.MeetingByID(ctx, convener, m.ID)
	if err != nil {
		return err
	}
	elevator, parking := v.Items[0].ID, v.Items[1].ID
	if _, err := ds.AddResearch(ctx, zhao, m.ID, elevator, models.ResearchInput{Note: "召开3号楼2单元住户座谈会，24户中20户原则同意加装电梯，主要分歧在费用分摊比例。", Canvassed: 24}); err != nil {
		return err
	}
	if _, err := ds.AddResearch(ctx, zhao, m.ID, parking, models.ResearchInput{Note: "夜间巡查3次，东侧消防通道平均停放私家车15辆。", Canvassed: 18}); err != nil {
		return err
	}
	*clock = clock.Add(time.Hour)
	if _, err := ds.AnnounceMeeting(ctx, convener, m.ID, time.FixedZone("CST", 8*3600)); err != nil {
		return err
	}

	// The meeting: members sign in with the room's code, or the secretary marks them.
	*clock = starts.Add(-10 * time.Minute)
	opened, err := ds.OpenMeeting(ctx, convener, m.ID)
	if err != nil {
		return err
	}
	voters := map[string]*models.Principal{}
	var order []string
	for _, phone := range []string{"13800000003", "13800000002", "13800000006", "13800000007", "13800000040", "13800000041", "13800000042", "13800000047"} {
		p, err := load(phone)
		if err != nil {
			return err
		}
		*clock = clock.Add(time.Minute)
		if err := ds.CheckIn(ctx, p, m.ID, opened.AttendanceCode); err != nil {
			return fmt.Errorf("sign in %s: %w", phone, err)
		}
		voters[phone] = p
		order = append(order, phone)
	}
	for _, phone := range []string{"13800000043", "13800000044"} {
		p, err := load(phone)
		if err != nil {
			return err
		}
		*clock = clock.Add(time.Minute)
		if err := ds.MarkPresent(ctx, secretary, m.ID, p.Account.ID); err != nil {
			return err
		}
		voters[phone] = p
		order = append(order, phone)
	}

	// Three motions: by phones, then two shows of hands.
	*clock = starts.Add(50 * time.Minute)
	m1, err := ds.AddMotion(ctx, convener, m.ID, models.MotionInput{AgendaItemID: elevator,
		Text: "同意成立3号楼加装电梯协调小组，由议事会成员2人、楼栋长和住户代表3人组成，一个月内提出费用分摊方案。"})
	if err != nil {
		return err
	}
	if _, err := ds.MotionStep(ctx, convener, m.ID, m1.ID, models.MotionActOpen); err != nil {
		return err
	}
	for _, phone := range order {
		p, choice := voters[phone], models.ChoiceFor
		switch phone {
		case "13800000047":
			continue // the guest does not vote
		case "13800000044":
			choice = models.ChoiceAbstain
		}
		*clock = clock.Add(10 * time.Second)
		if _, err := ds.CastMotionVote(ctx, p, m.ID, m1.ID, choice); err != nil {
			return fmt.Errorf("vote %s: %w", phone, err)
		}
	}
	if _, err := ds.MotionStep(ctx, convener, m.ID, m1.ID, models.MotionActClose); err != nil {
		return err
	}
	*clock = starts.Add(85 * time.Minute)
	for _, x := range []struct {
		text  string
		hands models.Hands
	}{
		{"同意委托物业就东侧绿地改建停车位开展全体业主意见征询，结果报下次议事会审议。", models.Hands{For: 7, Against: 1, Abstain: 1}},
		{"同意立即将东侧绿地全部改建为停车位。", models.Hands{For: 2, Against: 5, Abstain: 2}},
	} {
		mo, err := ds.AddMotion(ctx, convener, m.ID, models.MotionInput{AgendaItemID: parking, Text: x.text})
		if err != nil {
			return err
		}
		if _, err := ds.MotionStep(ctx, convener, m.ID, mo.ID, models.MotionActOpen); err != nil {
			return err
		}
		*clock = clock.Add(3 * time.Minute)
		if err := ds.RecordHands(ctx, secretary, m.ID, mo.ID, x.hands); err != nil {
			return err
		}
		if _, err := ds.MotionStep(ctx, convener, m.ID, mo.ID, models.MotionActClose); err != nil {
			return err
		}
	}
	*clock = starts.Add(100 * time.Minute)
	if err := ds.CloseMeeting(ctx, convener, m.ID); err != nil {
		return err
	}

	// The minutes: drafted the next day, finalised, signed off, published.
	*clock = starts.Add(20 * time.Hour)
	draft, err := ds.StartMinutes(ctx, secretary, m.ID)
	if err != nil {
		return err
	}
	text := models.MinutesText{
		Summary: "会议由召集人张书记主持，应到有表决权成员11人，实到9人，达到法定人数。会议审议了3号楼加装电梯和东侧停车难两项议题，形成两项决议：成立3号楼加装电梯协调小组；委托物业开展东侧绿地改建停车位的业主意见征询。“立即将东侧绿地全部改建为停车位”的提议未获通过。",
		Notes: map[uint64]string{
			elevator: "成员普遍支持加装电梯。一楼住户代表担心采光和噪音，建议施工方案先征求一楼住户意见；费用分摊比例由协调小组提出方案后再议。",
			parking:  "成员认为消防通道停车问题必须尽快解决，但绿地改建涉及全体业主权益，应先征求意见并报街道审批，不宜立即动工。",
		},
	}
	if err := ds.SaveMinutes(ctx, secretary, m.ID, draft.Version(), text); err != nil {
		return err
	}
	*clock = starts.Add(2 * 24 * time.Hour)
	if err := ds.FinaliseMinutes(ctx, secretary, m.ID); err != nil {
		return err
	}
	*clock = starts.Add(3 * 24 * time.Hour)
	if err := ds.SignMinutes(ctx, convener, m.ID); err != nil {
		return err
	}
	*clock = starts.Add(4 * 24 * time.Hour)
	if _, err := ds.PublishMinutes(ctx, convener, m.ID, models.DefaultMinutesPeriod, time.FixedZone("CST", 8*3600)); err != nil {
		return err
	}
	return executeResolutions(ctx, ds, clock, load, m.ID, m1.ID, starts, now)
}

// executeResolutions puts the past meeting's two resolutions in execution:
// the elevator group on time and part done, the parking consultation
// overdue, so the council page shows both states.
func executeResolutions(ctx context.Context, ds *models.Store, clock *time.Time, load func(string) (*models.Principal, error), meetingID, elevatorMotion uint64, starts, now time.Time) error {
	convener, err := load("13800000003")
	if err != nil {
		return err
	}
	byMotion, err := ds.MeetingResolutions(ctx, meetingID)
	if err != nil {
		return err
	}
	if len(byMotion) != 2 {
		return fmt.Errorf("demo meeting has %d resolutions, want 2", len(byMotion))
	}
	pct := func(n int) *int { return &n }
	for motion, id := range byMotion {
		owner, due, progress, done := "13800000002", starts.Add(7*24*time.Hour), "已向东侧三栋楼发放业主意见征询表 286 份，回收 171 份，物业正在汇总。", 60
		if motion == elevatorMotion {
			owner, due, progress, done = "13800000040", now.Add(21*24*time.Hour), "协调小组已成立（成员 6 人），完成一楼住户走访 8 户，正在请设计单位出具初步方案。", 30
		}
		*clock = starts.Add(4*24*time.Hour + time.Hour)
		if _, err := ds.AssignResolution(ctx, convener, id, owner, due); err != nil {
			return fmt.Errorf("assign demo resolution: %w", err)
		}
		p, err := load(owner)
		if err != nil {
			return err
		}
		*clock = starts.Add(6 * 24 * time.Hour)
		if _, err := ds.ReportProgress(ctx, p, id, models.ProgressInput{Note: progress, Percent: pct(done)}); err != nil {
			return fmt.Errorf("demo progress: %w", err)
		}
	}
	return nil
}
