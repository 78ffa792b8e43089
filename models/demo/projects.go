package demo

import (
	"context"
	"fmt"
	"time"

	"yishi/models"
)

// ProviderAccount is a demo login that acts for a resource provider.
type ProviderAccount struct {
	Phone string
	Name  string
	Kind  models.ProviderKind
	Org   string // the provider's name
}

// ProviderAccounts act for the demo's resource providers; the first is a
// social organisation that can apply in open calls.
var ProviderAccounts = []ProviderAccount{
	{"13800000021", "周主任", models.ProviderSocialOrg, "乐龄社工服务中心"},
	{"13800000022", "吴队长", models.ProviderVolunteerTeam, "幸福社区阳光志愿服务队"},
	{"13800000023", "郑医生", models.ProviderUnit, "和平街道社区卫生服务中心"},
	{"13800000024", "王建国", models.ProviderPartyMember, "在职党员王建国（区住建局）"},
	{"13800000025", "冯经理", models.ProviderUnit, "安居物业服务有限公司"},
	{"13800000026", "何会长", models.ProviderSocialOrg, "益家社区公益协会"},
}

// demoProjects fills the resources and projects lists through the store,
// so every step is audited as if people had done it: offers from six
// providers (one still pending), needs filed by residents, and five
// projects at different stages, the last one accepted, rated and
// published.
func demoProjects(ctx context.Context, store *models.Store, at map[string]models.Place, accounts map[string]models.Account, hash string) error {
	db := store.Tx(ctx)
	var lastNote uint64
	if err := db.Model(&models.Notification{}).Select("COALESCE(MAX(id), 0)").Scan(&lastNote).Error; err != nil {
		return err
	}
	for _, pa := range ProviderAccounts {
		acct := models.Account{Phone: pa.Phone, Name: pa.Name, PasswordHash: hash}
		if err := db.Create(&acct).Error; err != nil {
			return err
		}
		accounts[pa.Phone] = acct
	}
	load := func(phone string) (*models.Principal, error) { return store.LoadPrincipal(ctx, accounts[phone].ID) }
	com := at["community1"]
	ids := at["household1"].AncestorIDs()
	compound, err := store.PlaceByID(ctx, ids[2])
	if err != nil {
		return err
	}
	building, err := store.PlaceByID(ctx, ids[3])
	if err != nil {
		return err
	}
	staff, err := load("13800000002")
	if err != nil {
		return err
	}
	// Providers and their offers.
	day := func(n int) *time.Time { t := store.Now().AddDate(0, 0, n); return &t }
	offers := []struct {
		who     int
		in      models.OfferInput
		pending bool
	}{
		{0, models.OfferInput{Kind: models.OfferService, Title: "专业社工助老服务", Description: "为独居、高龄老人提供上门探访、助餐协调和心理关怀，由持证社工执行。", Capacity: 40, CapacityUnit: "户", Availability: "工作日全天"}, false},
		{1, models.OfferInput{Kind: models.OfferHours, Title: "志愿服务时长", Description: "队员 26 人，可承担环境整治、楼道清理、活动组织等志愿服务。", Capacity: 600, CapacityUnit: "小时", Availability: "每周六、周日", AvailableFrom: day(-30), AvailableUntil: day(365)}, false},
		{2, models.OfferInput{Kind: models.OfferService, Title: "义诊与健康讲座", Description: "每月一次社区义诊，测量血压血糖，讲解慢病管理。", Capacity: 12, CapacityUnit: "场", Availability: "每月第二个周四上午"}, false},
		{3, models.OfferInput{Kind: models.OfferService, Title: "房屋安全与适老化改造咨询", Description: "在职党员双报到，提供房屋安全、加装扶手和无障碍改造的技术咨询。", Capacity: 50, CapacityUnit: "小时", Availability: "周末预约", AvailableFrom: day(-10), AvailableUntil: day(180)}, false},
		{4, models.OfferInput{Kind: models.OfferVenue, Title: "物业会议室", Description: "可容纳 30 人，带投影，供议事协商和居民活动使用。", Capacity: 30, CapacityUnit: "人", Availability: "工作日晚上、周末", AvailableFrom: day(-60), AvailableUntil: day(300)}, false},
		{4, models.OfferInput{Kind: models.OfferGoods, Title: "垃圾分类桶", Description: "四分类垃圾桶一批。", Capacity: 40, CapacityUnit: "组", Availability: "随时可领"}, false},
		{5, models.OfferInput{Kind: models.OfferFunds, Title: "社区微公益金", Description: "用于小微民生项目的配套资金。", Capacity: 20000, CapacityUnit: "元", Availability: "年度内申请"}, true},
	}
	providers := make([]models.Provider, len(ProviderAccounts))
	var matched []models.Offer
	for _, o := range offers {
		pa := ProviderAccounts[o.who]
		who, err := load(pa.Phone)
		if err != nil {
			return err
		}
		o.in.PlaceIDs, o.in.Public = []uint64{com.ID}, true
		var offer models.Offer
		if providers[o.who].ID == 0 {
			offer, err = store.RegisterOffer(ctx, who, 0, models.ProviderInput{Kind: pa.Kind, Name: pa.Org, Phone: pa.Phone, PlaceID: com.ID}, o.in)
			providers[o.who] = offer.Provider
		} else {
			offer, err = store.RegisterOffer(ctx, who, providers[o.who].ID, models.ProviderInput{}, o.in)
		}
		if err != nil {
			return fmt.Errorf("demo offer %s: %w", o.in.Title, err)
		}
		if !o.pending {
			if offer, err = store.VerifyOffer(ctx, staff, offer.ID); err != nil {
				return err
			}
			matched = append(matched, offer)
		}
	}
	// Needs filed by residents and accepted by staff.
	cats, err := store.NeedCategories(ctx, true)
	if err != nil {
		return err
	}
	cat := map[string]uint64{}
	for _, c := range cats {
		cat[c.Code] = c.ID
	}
	needs := []struct {
		phone, code string
		place       models.Place
		text        string
	}{
		{"13800000005", "environment", compound, "小区健身器材老化生锈，扶手松动，老人锻炼不安全，希望更换。"},
		{"13800000004", "elderly", com, "社区独居老人多，中午吃饭难，希望有人帮忙送餐。"},
		{"13800000007", "repair", building, "1号楼楼道灯坏了好几盏，晚上上下楼看不清。"},
		{"13800000006", "environment", compound, "垃圾分类亭破旧漏雨，周围气味大，希望改造。"},
		{"13800000004", "renovation", building, "1号楼楼梯没有扶手，老人上下楼很吃力，希望加装扶手。"},
	}
	var needIDs []uint64
	for _, n := range needs {
		filer, err := load(n.phone)
		if err != nil {
			return err
		}
		need, err := store.FileNeed(ctx, filer, models.NeedInput{CategoryID: cat[n.code], PlaceID: n.place.ID, Description: n.text, Public: true}, nil)
		if err != nil {
			return fmt.Errorf("demo need: %w", err)
		}
		if _, err := store.AcceptNeed(ctx, staff, need.ID); err != nil {
			return err
		}
		needIDs = append(needIDs, need.ID)
	}
	org, err := load(ProviderAccounts[0].Phone)
	if err != nil {
		return err
	}
	org2, err := load(ProviderAccounts[5].Phone)
	if err != nil {
		return err
	}
	// The second social organisation's own profile is verified (its funds
	// offer waits), so it may apply in open calls.
	now := store.Now()
	if err := db.Model(&models.Provider{}).Where("id = ?", providers[5].ID).Updates(map[string]any{"verified_at": now, "verified_by_id": staff.Account.ID}).Error; err != nil {
		return err
	}
	create := func(title, summary string, place models.Place, yuan int64, need uint64, kinds ...models.OfferKind) (models.Project, error) {
		return store.CreateProject(ctx, staff, models.ProjectInput{Title: title, Summary: summary, PlaceID: place.ID, BudgetFen: yuan * 100,
			WantKinds: kinds, NeedIDs: []uint64{need}, StartOn: day(-20), EndOn: day(40)})
	}
	// 1. A draft.
	if _, err := create("阳光小区健身器材更新", "拆除老化器材，更换为适合老年人的健身器材 8 件，并铺设防滑地面。", compound, 36000, needIDs[0], models.OfferGoods, models.OfferFunds); err != nil {
		return err
	}
	// 2. An open call with applications.
	meals, err := create("独居老人助餐服务", "为社区 40 户独居高龄老人提供工作日午餐送餐和每周探访，由社会组织竞争承接。", com, 48000, needIDs[1], models.OfferService, models.OfferHours)
	if err != nil {
		return err
	}
	if _, err := store.OpenCall(ctx, staff, meals.ID); err != nil {
		return err
	}
	if _, err := store.ApplyForProject(ctx, org, meals.ID, providers[0].ID, "我中心有专业社工 6 名，已在邻近社区开展助餐服务三年，可与社区食堂合作配送。"); err != nil {
		return err
	}
	if _, err := store.ApplyForProject(ctx, org2, meals.ID, providers[5].ID, "协会志愿者熟悉社区老人情况，可组织志愿者每日送餐。"); err != nil {
		return err
	}
	// 3. In progress, with milestones and a progress report with a photo.
	lights, err := create("1号楼楼道照明改造", "更换 1 号楼全部楼道灯为声控 LED 灯，共 36 盏。", building, 5400, needIDs[2], models.OfferHours)
	if err != nil {
		return err
	}
	if err := store.MatchOffer(ctx, staff, lights.ID, matched[1].ID, 24, "志愿队协助入户告知和现场清理"); err != nil {
		return err
	}
	if _, err := store.StartProject(ctx, staff, lights.ID); err != nil {
		return err
	}
	m1, err := store.AddMilestone(ctx, staff, lights.ID, "采购灯具", *day(-5))
	if err != nil {
		return err
	}
	if _, err := store.AddMilestone(ctx, staff, lights.ID, "完成安装", *day(10)); err != nil {
		return err
	}
	if err := store.CompleteMilestone(ctx, staff, lights.ID, m1.ID); err != nil {
		return err
	}
	photo, err := demoPhoto(11)
	if err != nil {
		return err
	}
	if _, err := store.AddProgress(ctx, staff, lights.ID, 40, "灯具已到货，1、2 单元已安装完毕。", []models.Photo{photo}); err != nil {
		return err
	}
	// 4. Awaiting acceptance, carried out by the social organisation.
	bins, err := create("垃圾分类亭改造", "翻新阳光小区 2 座垃圾分类亭，加装雨棚、洗手池和除臭设备。", compound, 26000, needIDs[3], models.OfferGoods, models.OfferHours)
	if err != nil {
		return err
	}
	if err := store.MatchOffer(ctx, staff, bins.ID, matched[5].ID, 8, ""); err != nil {
		return err
	}
	if _, err := store.OpenCall(ctx, staff, bins.ID); err != nil {
		return err
	}
	app, err := store.ApplyForProject(ctx, org, bins.ID, providers[0].ID, "我中心可组织施工并开展垃圾分类宣传。")
	if err != nil {
		return err
	}
	if _, err := store.PickUndertaker(ctx, staff, bins.ID, app.ID); err != nil {
		return err
	}
	if _, err := store.AddProgress(ctx, org, bins.ID, 100, "两座分类亭已完成翻新，雨棚和洗手池已投入使用。", nil); err != nil {
		return err
	}
	if _, err := store.SubmitForAcceptance(ctx, org, bins.ID); err != nil {
		return err
	}
	// 5. Accepted, rated by residents and published.
	rails, err := create("1号楼加装楼梯扶手", "为 1 号楼 2 个单元 1–6 层楼梯加装不锈钢扶手，方便老人上下楼。", building, 12800, needIDs[4], models.OfferService, models.OfferHours)
	if err != nil {
		return err
	}
	for _, m := range []struct {
		offer  models.Offer
		amount int64
		note   string
	}{{matched[3], 6, "党员志愿者现场指导安装"}, {matched[1], 16, "志愿队协助清理和告知住户"}} {
		if err := store.MatchOffer(ctx, staff, rails.ID, m.offer.ID, m.amount, m.note); err != nil {
			return err
		}
	}
	if _, err := store.StartProject(ctx, staff, rails.ID); err != nil {
		return err
	}
	mr, err := store.AddMilestone(ctx, staff, rails.ID, "扶手安装完成", *day(-3))
	if err != nil {
		return err
	}
	if err := store.CompleteMilestone(ctx, staff, rails.ID, mr.ID); err != nil {
		return err
	}
	if photo, err = demoPhoto(23); err != nil {
		return err
	}
	if _, err := store.AddProgress(ctx, staff, rails.ID, 100, "扶手已全部安装完毕，经住户试用牢固。", []models.Photo{photo}); err != nil {
		return err
	}
	if _, err := store.SubmitForAcceptance(ctx, staff, rails.ID); err != nil {
		return err
	}
	list, err := store.Checklist(ctx, rails.ID)
	if err != nil {
		return err
	}
	if _, err := store.DecideProject(ctx, staff, rails.ID, true, list, "扶手安装牢固，高度符合规范，费用与预算相符，住户满意。"); err != nil {
		return err
	}
	for _, r := range []struct {
		phone   string
		stars   int
		comment string
	}{{"13800000004", 5, "终于有扶手了，上下楼踏实多了。"}, {"13800000005", 4, ""}, {"13800000003", 5, ""}, {"13800000007", 4, "希望其他楼也能装。"}} {
		who, err := load(r.phone)
		if err != nil {
			return err
		}
		if err := store.RateProject(ctx, who, rails.ID, r.stars, r.comment); err != nil {
			return fmt.Errorf("demo rating: %w", err)
		}
	}
	if _, err = store.PublishProject(ctx, staff, rails.ID, models.NoticeInput{Title: "1号楼加装楼梯扶手项目验收结果公示",
		Body:       "1号楼加装楼梯扶手项目已完成并通过验收，预算 12,800.00 元。在职党员王建国和阳光志愿服务队参与实施。现予以公示，如有异议请在公示期内提出。\n\n幸福社区居委会",
		PeriodDays: 7, AllowObjections: true}); err != nil {
		return err
	}
	// The demo's history is make-believe: nobody should find messages
	// about it in their inbox or receive them by text message. The audit
	// trail keeps the record that they were sent during the load.
	if err := db.Where("notification_id > ?", lastNote).Delete(&models.OutboxMessage{}).Error; err != nil {
		return err
	}
	return db.Where("id > ?", lastNote).Delete(&models.Notification{}).Error
}
