// Package demo loads a realistic demo street into an empty or existing
// database: 和平街道 with three communities, their compounds, buildings,
// households and residents with Chinese names, one account per role,
// published notices, takers and needs at every step of their way, and a
// residents' council with topics and an announced meeting.
// Loading twice changes nothing the second time.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"yishi/models"
)

// Password is the password of every demo account.
const Password = "yishi-demo-2026"

// Account is one demo login.
type Account struct {
	Phone string
	Name  string
	Role  models.Role
	Where string // which place the role is granted at, by name in Load
}

// Accounts are the demo logins, one per role; the README lists them.
var Accounts = []Account{
	{"13800000000", "管理员", models.RoleAdmin, "street"},
	{"13800000001", "王街道", models.RoleStreetStaff, "street"},
	{"13800000002", "李社工", models.RoleCommunityStaff, "community1"},
	{"13800000003", "张书记", models.RoleConvener, "community1"},
	{"13800000004", "陈阿姨", models.RoleResident, "household1"},
	{"13800000005", "刘大爷", models.RoleResident, "household2"},
	{"13800000006", "赵委员", models.RoleCouncilMember, "community1"},
	{"13800000007", "钱代表", models.RoleRepresentative, "community1"},
}

// livesIn are the households (by index in the load order) where demo
// accounts holding a non-resident role are verified residents too: the
// convener, the council member and the representative live in community 1.
var livesIn = []struct {
	phone     string
	household int
	birthYear int
}{
	{"13800000003", 2, 1972},
	{"13800000006", 3, 1965},
	{"13800000007", 4, 1969},
}

// waiting are the accounts whose registrations wait for community staff.
var waiting = []struct{ phone, name string }{{"13800000011", "赵新"}, {"13800000012", "孙晓"}, {"13800000013", "周平"}}

// Names of the demo places.
const (
	StreetName = "和平街道"
)

// CommunityNames are the three demo communities; the first is "community 1".
var CommunityNames = []string{"幸福社区", "和谐社区", "光明社区"}

var compoundNames = [][]string{
	{"阳光小区", "翠苑小区"},
	{"和园小区", "锦绣家园"},
	{"光华里", "明珠花园"},
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉梅海林波鹏辉玲志宏云峰燕凤春雪莉晨欣怡子涵浩宇思远佳琪梓萱俊杰雨桐")

// loadAction marks a loaded demo in the audit trail.
const loadAction = "demo.load"

// Load creates the demo street unless it is already there. It refuses to
// load into a database where a demo phone number belongs to someone else.
func Load(ctx context.Context, store *models.Store) error {
	return store.InTx(ctx, func(ctx context.Context) error {
		db := store.Tx(ctx)
		var loaded int64
		if err := db.Model(&models.AuditEntry{}).Where("action = ?", loadAction).Count(&loaded).Error; err != nil {
			return err
		}
		if loaded > 0 {
			return nil
		}
		var phones []string
		for _, w := range waiting {
			phones = append(phones, w.phone)
		}
		for _, a := range Accounts {
			phones = append(phones, a.Phone)
		}
		for _, a := range TakerAccounts {
			phones = append(phones, a.Phone)
		}
		for _, a := range ProviderAccounts {
			phones = append(phones, a.Phone)
		}
		for _, a := range CouncilAccounts {
			phones = append(phones, a.Phone)
		}
		var taken []string
		if err := db.Model(&models.Account{}).Where("phone IN ?", phones).Order("phone").Pluck("phone", &taken).Error; err != nil {
			return err
		}
		if len(taken) > 0 {
			return fmt.Errorf("cannot load the demo: phone number %s is already registered", taken[0])
		}
		now := store.Now()
		rng := rand.New(rand.NewPCG(2026, 11))
		mk := func(parent *models.Place, kind models.PlaceKind, name string) (models.Place, error) {
			p := models.Place{Kind: kind, Name: name, Path: "/"}
			if parent != nil {
				p.ParentID = &parent.ID
			}
			if err := db.Create(&p).Error; err != nil {
				return p, err
			}
			base := "/"
			if parent != nil {
				base = parent.Path
			}
			p.Path = fmt.Sprintf("%s%d/", base, p.ID)
			return p, db.Model(&p).Update("path", p.Path).Error
		}
		street, err := mk(nil, models.KindStreet, StreetName)
		if err != nil {
			return err
		}
		at := map[string]models.Place{"street": street}
		var households []models.Place
		var residents []models.Resident
		for ci, cname := range CommunityNames {
			com, err := mk(&street, models.KindCommunity, cname)
			if err != nil {
				return err
			}
			if ci == 0 {
				at["community1"] = com
			}
			for _, compName := range compoundNames[ci] {
				comp, err := mk(&com, models.KindCompound, compName)
				if err != nil {
					return err
				}
				for b := 1; b <= 3; b++ {
					bld, err := mk(&comp, models.KindBuilding, fmt.Sprintf("%d号楼", b))
					if err != nil {
						return err
					}
					for unit := 1; unit <= 2; unit++ {
						for floor := 1; floor <= 6; floor++ {
							for door := 1; door <= 2; door++ {
								if (floor+door+b)%7 == 0 {
									continue // a few flats stand empty
								}
								hh, err := mk(&bld, models.KindHousehold, fmt.Sprintf("%d单元%d%02d", unit, floor, door))
								if err != nil {
									return err
								}
								households = append(households, hh)
								residents = append(residents, family(rng, hh.ID, now)...)
							}
						}
					}
				}
			}
		}
		at["household1"], at["household2"] = households[0], households[1]
		// Where a demo account lives, its own roster entry is the household
		// head (户代表), so the generated family members are not.
		headed := map[uint64]bool{households[0].ID: true, households[1].ID: true}
		for _, home := range livesIn {
			headed[households[home.household].ID] = true
		}
		for i := range residents {
			if headed[residents[i].HouseholdID] {
				residents[i].IsHead = false
			}
		}
		if err := db.CreateInBatches(&residents, 200).Error; err != nil {
			return err
		}
		hash, err := models.HashPassword(Password)
		if err != nil {
			return err
		}
		accounts := map[string]models.Account{}
		for _, a := range Accounts {
			acct := models.Account{Phone: a.Phone, Name: a.Name, PasswordHash: hash, Locale: ""}
			if err := db.Create(&acct).Error; err != nil {
				return err
			}
			accounts[a.Phone] = acct
			place := at[a.Where]
			if err := db.Create(&models.RoleGrant{AccountID: acct.ID, Role: a.Role, PlaceID: place.ID}).Error; err != nil {
				return err
			}
			if a.Role == models.RoleResident {
				// The demo resident is the head of the household's roster entry.
				r := models.Resident{HouseholdID: place.ID, Name: a.Name, Phone: a.Phone, BirthYear: 1956, IsHead: true, AccountID: &acct.ID}
				if err := db.Create(&r).Error; err != nil {
					return err
				}
			}
		}
		for _, home := range livesIn {
			acct, hh := accounts[home.phone], households[home.household]
			if err := db.Create(&models.RoleGrant{AccountID: acct.ID, Role: models.RoleResident, PlaceID: hh.ID}).Error; err != nil {
				return err
			}
			if err := db.Create(&models.Resident{HouseholdID: hh.ID, Name: acct.Name, Phone: acct.Phone, BirthYear: home.birthYear, IsHead: true, AccountID: &acct.ID}).Error; err != nil {
				return err
			}
		}
		if err := pendingRegistrations(db, households, hash, now); err != nil {
			return err
		}
		if err := notices(db, at, accounts, now); err != nil {
			return err
		}
		// signUp makes a demo login with no role of its own.
		signUp := func(phone, name string) error {
			acct := models.Account{Phone: phone, Name: name, PasswordHash: hash}
			if err := db.Create(&acct).Error; err != nil {
				return err
			}
			accounts[phone] = acct
			return nil
		}
		for _, a := range TakerAccounts {
			if err := signUp(a.Phone, a.Name); err != nil {
				return err
			}
		}
		if err := needsDemo(ctx, store, at, accounts, now); err != nil {
			return err
		}
		if err := demoProjects(ctx, store, at, accounts, hash); err != nil {
			return err
		}
		if err := demoBallots(ctx, store, at, accounts, now); err != nil {
			return err
		}
		for _, a := range CouncilAccounts {
			if err := signUp(a.Phone, a.Name); err != nil {
				return err
			}
		}
		if err := demoCouncil(ctx, store, at, accounts, now); err != nil {
			return err
		}
		if err := demoVillage(ctx, store, street, hash, now); err != nil {
			return err
		}
		admin := accounts["13800000000"].ID
		return store.Record(ctx, models.Audit{ActorID: &admin, Action: loadAction, ObjectType: "place", ObjectID: street.ID, PlaceID: &street.ID,
			Detail: fmt.Sprintf("%d households, %d residents", len(households), len(residents))})
	})
}

// family makes one to four residents of a household.
func family(rng *rand.Rand, householdID uint64, now time.Time) []models.Resident {
	n := 1 + rng.IntN(3)
	if rng.IntN(4) == 0 {
		n++
	}
	surname := string(surnames[rng.IntN(len(surnames))])
	out := make([]models.Resident, 0, n)
	for i := 0; i < n; i++ {
		s := surname
		if i == 1 {
			s = string(surnames[rng.IntN(len(surnames))]) // a spouse keeps their own surname
		}
		given := string(givenChars[rng.IntN(len(givenChars))])
		if rng.IntN(3) > 0 {
			given += string(givenChars[rng.IntN(len(givenChars))])
		}
		year := now.Year() - 30 - rng.IntN(55)
		if i >= 2 {
			year = now.Year() - 3 - rng.IntN(30)
		}
		phone := ""
		if year < now.Year()-18 && rng.IntN(3) > 0 {
			phone = fmt.Sprintf("139%08d", householdID*10+uint64(i))
		}
		out = append(out, models.Resident{HouseholdID: householdID, Name: s + given, Phone: phone, BirthYear: year, IsHead: i == 0})
	}
	return out
}

// pendingRegistrations leaves three accounts waiting for community staff.
func pendingRegistrations(db *gorm.DB, households []models.Place, hash string, now time.Time) error {
	for i, w := range waiting {
		acct := models.Account{Phone: w.phone, Name: w.name, PasswordHash: hash}
		if err := db.Create(&acct).Error; err != nil {
			return err
		}
		reg := models.Registration{AccountID: acct.ID, HouseholdID: households[5+i*3].ID, Name: w.name, Status: models.RegistrationPending, CreatedAt: now.Add(-time.Duration(i+1) * 5 * time.Hour)}
		if err := db.Create(&reg).Error; err != nil {
			return err
		}
	}
	return nil
}

// notices publishes a handful of notices at the street and in community 1.
func notices(db *gorm.DB, at map[string]models.Place, accounts map[string]models.Account, now time.Time) error {
	street, com := at["street"], at["community1"]
	staff, streetStaff := accounts["13800000002"].ID, accounts["13800000001"].ID
	day := 24 * time.Hour
	list := []struct {
		place   models.Place
		author  uint64
		title   string
		body    string
		ago     time.Duration
		period  int
		objects bool
	}{
		{street, streetStaff, "和平街道2026年度民生微实事项目征集公告",
			"各社区居民：\n\n为办好群众身边的小事、急事、难事，街道现面向全体居民征集2026年度民生微实事项目建议。项目分为服务类、货物类、工程类，单个项目资金一般不超过20万元。\n\n请于公示期内通过本平台“我的需求”或到社区服务站提交建议。\n\n和平街道办事处", 3 * day, 15, false},
		{com, staff, "幸福社区阳光小区加装电梯意见征询结果公示",
			"经阳光小区3号楼2单元住户协商，同意申请加装电梯的住户占本单元住户的85%，符合申请条件。现予以公示，公示期7天。如有异议，请在公示期内通过本页面提出，社区将逐一答复。\n\n幸福社区居委会", 1 * day, 7, true},
		{com, staff, "幸福社区居民公约（修订稿）公布",
			"《幸福社区居民公约》修订稿已经居民代表会议表决通过，并报和平街道备案，现予公布。\n\n一、爱护公共环境，垃圾分类投放。\n二、文明饲养宠物，遛狗拴绳，及时清理。\n三、车辆有序停放，不占用消防通道。\n四、邻里互助，关爱老人和儿童。\n\n幸福社区居委会", 12 * day, 0, false},
	}
	for _, n := range list {
		pub := now.Add(-n.ago)
		notice := models.Notice{PlaceID: n.place.ID, Title: n.title, Body: n.body, Status: models.NoticePublished, AuthorID: n.author,
			PublishedAt: &pub, PeriodDays: n.period, AllowObjections: n.objects, CreatedAt: pub}
		if n.period > 0 {
			end := pub.Add(time.Duration(n.period) * day)
			notice.PeriodEndsAt = &end
		}
		if err := db.Create(&notice).Error; err != nil {
			return err
		}
	}
	return nil
}
