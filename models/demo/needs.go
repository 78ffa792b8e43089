package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"yishi/models"
)

// TakerAccounts are the demo logins of takers (承办方): a grid worker of
// community 1 and two street departments. The README lists them.
var TakerAccounts = []struct{ Phone, Name, Taker string }{
	{"13800000008", "孙网格", "孙网格（幸福社区网格员）"},
	{"13800000009", "周队长", "和平街道城管执法队"},
	{"13800000010", "吴所长", "和平街道市政养护所"},
}

var needTexts = map[string][]string{
	"safety": {
		"阳光小区3号楼楼道里堆满了纸箱和旧家具，堵住了消防通道，万一着火很危险。",
		"小区东门电动车充电桩附近有人私拉电线给电瓶车充电，电线就挂在窗户外面。",
		"翠苑小区2号楼外墙有瓷砖松动，前几天掉下来一块，差点砸到人。",
		"小区里的井盖松了，踩上去会晃，晚上老人经过很不安全。",
	},
	"repair": {
		"1号楼2单元的楼道灯坏了半个多月了，晚上上下楼看不清台阶。",
		"小区门口的健身器材有一个扶手断了，孩子们玩的时候容易受伤。",
		"我家楼上的雨水管破了，一下雨水就顺着外墙流进我家窗户。",
		"单元门的门禁坏了，门一直关不上，陌生人随便进出。",
		"小区路灯有三盏不亮，晚上遛弯的老人看不清路。",
	},
	"environment": {
		"垃圾分类亭旁边的垃圾经常满出来，夏天味道很大，希望增加清运次数。",
		"小区绿化带里有人种菜还浇粪水，味道太大了。",
		"楼下有人遛狗不清理粪便，草坪上到处都是。",
		"小区后门那条路上的落叶和积水没人清理，下雨天很滑。",
	},
	"elderly": {
		"我们楼有好几位独居老人，希望社区能安排志愿者定期上门看看。",
		"腿脚不方便，想申请社区助餐服务，每天中午送一顿饭。",
		"希望在小区里加装几处扶手和休息座椅，方便老人走路歇脚。",
		"老伴住院了，家里有个残疾的孩子需要有人帮忙照看几天。",
	},
	"neighbours": {
		"楼上住户每天晚上十一点以后还在装修敲打，多次沟通没有效果。",
		"邻居在公共楼道里养了好几只鸡，味道很大，还很吵。",
		"对门邻居的空调外机正对着我家窗户，夏天热风直吹。",
	},
	"renovation": {
		"阳光小区没有电梯，楼里老人多，大家希望能加装电梯。",
		"小区停车位太少，晚上车都停在消防通道上，希望能规划一些停车位。",
		"希望把小区里闲置的自行车棚改造成居民活动室。",
		"小区的雨污管道老化，一下大雨就倒灌，希望整体改造。",
	},
	"other": {
		"希望社区能组织一些针对老年人的智能手机使用培训。",
		"小区里的快递柜太少，快递经常堆在门卫室。",
		"希望周末能在社区广场办一次便民服务集市，理发、磨刀、修家电。",
	},
}

// demoPhoto makes a small JPEG of a coloured scene, the kind of picture a
// resident takes of a broken lamp or a blocked corridor.
func demoPhoto(seed int) (models.Photo, error) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(90 + (x*seed)%120), uint8(110 + y/3), uint8(140 + (seed*37)%90), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return models.Photo{}, err
	}
	return models.ProcessPhoto(buf.Bytes())
}

// needsDemo registers the takers and files about forty needs in community 1
// through the store, with a clock set back so that every step, deadline and
// overdue flag is as real as if it had happened over the last month.
func needsDemo(ctx context.Context, store *models.Store, at map[string]models.Place, accounts map[string]models.Account, now time.Time) error {
	clock := now
	ds := models.NewStore(store.DB(), func() time.Time { return clock })
	principal := func(phone string) (*models.Principal, error) {
		return ds.LoadPrincipal(ctx, accounts[phone].ID)
	}
	staff, err := principal("13800000002")
	if err != nil {
		return err
	}
	streetStaff, err := principal("13800000001")
	if err != nil {
		return err
	}
	com := at["community1"]
	street := at["street"]
	clock = now.Add(-40 * 24 * time.Hour)
	var takers []models.Taker
	for i, ta := range TakerAccounts {
		id := accounts[ta.Phone].ID
		in := models.TakerInput{Kind: models.TakerDepartment, Name: ta.Taker, PlaceID: street.ID, AccountID: &id}
		who := streetStaff
		if i == 0 {
			in.Kind, in.PlaceID, who = models.TakerGridWorker, com.ID, staff
		}
		t, err := ds.CreateTaker(ctx, who, in)
		if err != nil {
			return err
		}
		takers = append(takers, t)
	}
	for _, in := range []models.TakerInput{
		{Kind: models.TakerVolunteer, Name: "幸福社区志愿服务队", PlaceID: com.ID},
		{Kind: models.TakerUnit, Name: "阳光物业服务中心", PlaceID: com.ID},
	} {
		if _, err := ds.CreateTaker(ctx, staff, in); err != nil {
			return err
		}
	}
	grid, cityDept, works := takers[0], takers[1], takers[2]
	worker, err := principal(TakerAccounts[0].Phone)
	if err != nil {
		return err
	}
	deptP, err := principal(TakerAccounts[1].Phone)
	if err != nil {
		return err
	}
	worksP, err := principal(TakerAccounts[2].Phone)
	if err != nil {
		return err
	}
	cats, err := ds.NeedCategories(ctx, true)
	if err != nil {
		return err
	}
	buildings, err := ds.PlacesOfKind(ctx, com, models.KindBuilding)
	if err != nil {
		return err
	}
	filers := []string{"13800000004", "13800000005", "13800000003", "13800000006", "13800000007"}
	var open []uint64 // needs still open, to merge into
	used := map[string]int{}
	const total = 40
	for i := 0; i < total; i++ {
		cat := cats[i%len(cats)]
		texts := needTexts[cat.Code]
		if len(texts) == 0 {
			texts = needTexts["other"]
		}
		text := texts[used[cat.Code]%len(texts)]
		used[cat.Code]++
		filerPhone := filers[i%len(filers)]
		filer, err := principal(filerPhone)
		if err != nil {
			return err
		}
		// Older needs first; the last ones were filed in the last day.
		t0 := now.Add(-time.Duration(total-i) * 18 * time.Hour)
		span := now.Sub(t0)
		step := func(k int) { clock = t0.Add(span * time.Duration(k) / 10) }
		clock = t0
		var photos []models.Photo
		if i%4 == 1 {
			ph, err := demoPhoto(i + 3)
			if err != nil {
				return err
			}
			photos = append(photos, ph)
		}
		n, err := ds.FileNeed(ctx, filer, models.NeedInput{CategoryID: cat.ID, PlaceID: buildings[i%len(buildings)].ID, Description: text, Public: i%3 != 0}, photos)
		if err != nil {
			return fmt.Errorf("demo need %d: %w", i, err)
		}
		if n.Public {
			for k, ph := range filers {
				if ph == filerPhone || (i+k)%3 != 0 {
					continue
				}
				sup, err := principal(ph)
				if err != nil {
					return err
				}
				step(1)
				if err := ds.SupportNeed(ctx, sup, n.ID); err != nil {
					return err
				}
			}
		}
		stage := i % 8
		if i == total-1 {
			stage = 0 // the newest waits for review
		}
		if stage == 0 {
			open = append(open, n.ID)
			continue
		}
		step(2)
		if stage == 6 {
			_, err = ds.DeclineNeed(ctx, staff, n.ID, "该问题属于业主家庭内部事务，建议通过物业或协商解决；社区可提供调解服务。")
			if err != nil {
				return err
			}
			continue
		}
		if stage == 7 && len(open) > 0 {
			if _, err := ds.MergeNeed(ctx, staff, n.ID, open[len(open)-1]); err != nil {
				return err
			}
			continue
		}
		if _, err := ds.AcceptNeed(ctx, staff, n.ID); err != nil {
			return err
		}
		if stage == 1 || stage == 7 {
			open = append(open, n.ID)
			continue
		}
		taker, takerP := grid, worker
		if i%5 == 4 {
			taker, takerP = works, worksP
		}
		whistle := i == 13 // one need goes up to the street
		if whistle {
			step(3)
			if _, _, err := ds.EscalateNeed(ctx, staff, n.ID, "网格内协调不了，需要社区出面。", nil); err != nil {
				return err
			}
			_, w, err := ds.EscalateNeed(ctx, staff, n.ID, "涉及占道和管线，请城管和市政一起到现场。", []uint64{cityDept.ID, works.ID})
			if err != nil {
				return err
			}
			clock = clock.Add(3 * time.Hour)
			if err := ds.ReportWhistle(ctx, deptP, w.Calls[0].ID, "已派两名队员到现场查看。"); err != nil {
				return err
			}
			clock = clock.Add(2 * time.Hour)
			if err := ds.ReportWhistle(ctx, worksP, w.Calls[1].ID, "已到现场，管线需要更换。"); err != nil {
				return err
			}
			taker, takerP = works, worksP
		}
		step(4)
		if i%11 == 3 {
			// A taker hands one back before it is dispatched again.
			if _, err := ds.DispatchNeed(ctx, staff, n.ID, works.ID); err != nil {
				return err
			}
			if _, err := ds.ReturnNeed(ctx, worksP, n.ID, "不属于市政养护范围，建议由网格员协调物业。"); err != nil {
				return err
			}
			taker, takerP = grid, worker
		}
		if _, err := ds.DispatchNeed(ctx, staff, n.ID, taker.ID); err != nil {
			return err
		}
		if stage == 2 {
			open = append(open, n.ID)
			continue
		}
		step(5)
		if _, err := ds.TakeNeed(ctx, takerP, n.ID); err != nil {
			return err
		}
		step(6)
		if _, err := ds.ProgressNeed(ctx, takerP, n.ID, "已到现场查看，正在联系相关方处理。"); err != nil {
			return err
		}
		if stage == 3 {
			open = append(open, n.ID)
			if i%3 == 0 {
				step(7)
				if _, err := ds.ChaseNeed(ctx, staff, n.ID, "居民反映较多，请加快办理。"); err != nil {
					return err
				}
			}
			continue
		}
		step(7)
		if _, err := ds.CompleteNeed(ctx, takerP, n.ID, "已处理完毕，现场已恢复正常。"); err != nil {
			return err
		}
		if stage == 4 {
			if i < total/2 && i%3 == 1 {
				// Long done and never rated: the auto-close below closes it.
				continue
			}
			if i%3 == 2 {
				// An unhappy filer sends it back, and it is done again.
				step(8)
				if _, err := ds.SendBackNeed(ctx, filer, n.ID, "只是临时处理了一下，问题没有根本解决。"); err != nil {
					return err
				}
				clock = clock.Add(span / 40)
				if _, err := ds.CompleteNeed(ctx, takerP, n.ID, "已彻底更换，请再看一下。"); err != nil {
					return err
				}
			}
			continue
		}
		// stage 5: rated and closed.
		step(9)
		rating, comment := 5, "处理很及时，谢谢！"
		if i%3 == 0 {
			rating, comment = 3, "解决了，但是拖得有点久。"
		}
		if _, err := ds.RateNeed(ctx, filer, n.ID, rating, comment); err != nil {
			return err
		}
		if whistle {
			d, err := ds.NeedByID(ctx, streetStaff, n.ID)
			if err != nil {
				return err
			}
			if err := ds.RateWhistle(ctx, streetStaff, d.Whistles[0].ID, 4, "两个部门都按时报到，配合较好。"); err != nil {
				return err
			}
		}
	}
	clock = now
	_, err = ds.AutoCloseNeeds(ctx)
	return err
}
