package i18n

func init() {
	add(map[string][2]string{
		// Needs: errors from the store
		"err.need_step_not_allowed":   {"当前状态下不能进行这一步操作。", "This step is not possible in the need's current state."},
		"err.not_resident":            {"只有已认证的居民才能这样做，请先在“我的”页面完成住户认证。", "Only verified residents can do this; verify your household on your account page first."},
		"err.already_supported":       {"您已经附议过这条需求。", "You have already supported this need."},
		"err.too_many_photos":         {"最多上传 3 张照片。", "Upload at most 3 photos."},
		"err.place_outside_community": {"请选择您所在社区内的地点。", "Choose a place in your own community."},
		"err.merge_target_invalid":    {"请选择同一社区内另一条尚未办结的需求。", "Choose another open need of the same community."},
		"err.taker_out_of_area":       {"该承接方不负责这个地点。", "This taker does not serve that place."},
		"err.whistle_needs_callee":    {"吹哨时至少要点名一个部门或单位。", "Name at least one department or unit to blow the whistle."},
		"err.rating_invalid":          {"请选择 1 到 5 星。", "Choose from 1 to 5 stars."},
		"err.account_not_found":       {"没有找到这个手机号的账号。", "No account has this phone number."},
		"err.must_be_positive":        {"请输入大于 0 的数。", "Enter a number above 0."},
		"err.too_large":               {"数值太大。", "The number is too large."},
		"err.respond_after_resolve":   {"响应时限不能长于办结时限。", "The response limit cannot be longer than the resolution limit."},
		"err.too_short":               {"内容太短，请多写几个字。", "Too short; please write a little more."},
	})
}
