package i18n

// Messages of the execution of resolutions (决议执行监督): owners and due
// dates, progress, the end, chasing, ratings, and the projects and ballots
// a resolution spawns.
func init() {
	add(map[string][2]string{
		// Errors
		"resolution.err_due_past":      {"完成期限须晚于现在。", "The due date must be in the future."},
		"resolution.err_step":          {"决议当前状态下不能进行这一步。", "This step is not possible in the resolution's current state."},
		"resolution.err_spawned":       {"这项决议已终结或已生成过同类事项。", "This resolution is closed or has already spawned one of these."},
		"resolution.err_owner":         {"责任人须是本议事会成员或本地工作人员。", "The owner must be a member of this council or staff of its place."},
		"resolution.err_already_rated": {"您已经评价过这项决议的落实效果了。", "You have already rated how this resolution was carried out."},

		// Notifications
		"resolution.notify_assign":   {"决议“%s”已交办，请关注落实情况。", "The resolution “%s” has an owner and a due date."},
		"resolution.notify_progress": {"决议“%s”有新的落实进展。", "There is progress on the resolution “%s”."},
		"resolution.notify_done":     {"决议“%s”已办结，欢迎评价落实效果。", "The resolution “%s” is done; rate the result."},
		"resolution.notify_abandon":  {"决议“%s”已终止，请查看原因。", "The resolution “%s” was abandoned; see why."},
		"resolution.notify_overdue":  {"决议“%s”已逾期，请尽快落实（催办）。", "The resolution “%s” is overdue; please carry it out."},
	})
}
