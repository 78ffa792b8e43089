package demo

import (
	"context"
	"fmt"
	"time"

	"yishi/models"
)

// VillageName is the demo village under the street, where a matter is half
// way through 四议两公开.
const VillageName = "桃源村"

// VillageStaff is the village's staff login (村书记), community staff at the
// village: they record the matter's steps. The README lists it.
var VillageStaff = struct{ Phone, Name string }{"13800000050", "林书记"}

// MatterTitle is the demo village matter.
const MatterTitle = "硬化村东组通组道路"

// demoVillage adds 桃源村 under the street with its staff member and a
// matter registered three weeks ago whose first three steps (党组织提议,
// 两委会商议, 党员大会审议) are recorded, so the villagers' meeting is next.
func demoVillage(ctx context.Context, store *models.Store, street models.Place, hash string, now time.Time) error {
	db := store.Tx(ctx)
	var taken int64
	if err := db.Model(&models.Account{}).Where("phone = ?", VillageStaff.Phone).Count(&taken).Error; err != nil {
		return err
	}
	if taken > 0 {
		return fmt.Errorf("cannot load the demo: phone number %s is already registered", VillageStaff.Phone)
	}
	village := models.Place{ParentID: &street.ID, Kind: models.KindVillage, Name: VillageName, Path: "/"}
	if err := db.Create(&village).Error; err != nil {
		return err
	}
	village.Path = fmt.Sprintf("%s%d/", street.Path, village.ID)
	if err := db.Model(&village).Update("path", village.Path).Error; err != nil {
		return err
	}
	acct := models.Account{Phone: VillageStaff.Phone, Name: VillageStaff.Name, PasswordHash: hash}
	if err := db.Create(&acct).Error; err != nil {
		return err
	}
	if err := db.Create(&models.RoleGrant{AccountID: acct.ID, Role: models.RoleCommunityStaff, PlaceID: village.ID}).Error; err != nil {
		return err
	}

	day := 24 * time.Hour
	clock := now.Add(-21 * day)
	ds := models.NewStore(store.DB(), func() time.Time { return clock })
	staff, err := ds.LoadPrincipal(ctx, acct.ID)
	if err != nil {
		return err
	}
	m, err := ds.CreateMatter(ctx, staff, models.MatterInput{PlaceID: village.ID, Title: MatterTitle, Source: models.SourceResidents,
		Description: "村东组通组道路为土路，长约1.2公里，雨天泥泞，农用车和学生出行困难。村民代表联名建议硬化为3.5米宽水泥路，预计投资约36万元，拟申请一事一议财政奖补资金，不足部分由村集体经济收入解决。"})
	if err != nil {
		return err
	}
	cst := time.FixedZone("CST", 8*3600)
	steps := []struct {
		ago int
		in  models.StepInput
	}{
		{20, models.StepInput{Form: "onsite", Expected: 5, Actual: 5, Result: models.StepPassed,
			Text:       "村党支部委员会研究村民代表联名建议，提议硬化村东组通组道路，提交村两委联席会议商议。",
			Signatures: "主持人：林书记；记录人：村支委周明；参会支委5人均已签字"}},
		{16, models.StepInput{Form: "onsite", Expected: 9, Actual: 8, Result: models.StepPassed,
			Text:       "村两委联席会议商议道路硬化方案：路宽3.5米，长1.2公里，概算36万元，资金来源为一事一议财政奖补和村集体收入；施工单位按程序公开比选。",
			Signatures: "主持人：林书记；记录人：村委委员陈芳；到会两委成员8人均已签字（村委委员王强请假）"}},
		{11, models.StepInput{Form: "mixed", Expected: 42, Actual: 36, Result: models.StepPassed,
			Text:       "党员大会审议村两委商议形成的道路硬化方案，同意提交村民代表会议决议。",
			Signatures: "主持人：林书记；记录人：周明；到会党员36人签到并签字，外出务工党员6人线上参会表示同意"}},
	}
	for i, st := range steps {
		clock = now.Add(-time.Duration(st.ago) * day)
		st.in.HeldOn = clock.Add(-2 * time.Hour)
		if _, err := ds.RecordStep(ctx, staff, m.ID, i, st.in, cst); err != nil {
			return fmt.Errorf("demo matter step %d: %w", i+1, err)
		}
	}
	return nil
}
