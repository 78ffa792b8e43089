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

		// Statuses, steps and tabs
		"resolution.status_pending":     {"待交办", "Awaiting an owner"},
		"resolution.status_assigned":    {"已交办", "Assigned"},
		"resolution.status_in_progress": {"落实中", "In progress"},
		"resolution.status_done":        {"已办结", "Done"},
		"resolution.status_abandoned":   {"已终止", "Abandoned"},
		"resolution.act_assign":         {"交办（指定责任人和期限）", "Assign an owner and a due date"},
		"resolution.act_progress":       {"报告进展", "Report progress"},
		"resolution.act_done":           {"办结", "Mark as done"},
		"resolution.act_abandon":        {"终止执行", "Abandon"},
		"resolution.did_assign":         {"交办", "assigned"},
		"resolution.assigned_to":        {"交由 %s 办理，期限 %s", "To %s, due %s"},
		"resolution.did_progress":       {"报告进展", "reported progress"},
		"resolution.did_done":           {"办结", "marked it done"},
		"resolution.did_abandon":        {"终止执行", "abandoned it"},
		"resolution.did_chase":          {"逾期催办", "chased it as overdue"},
		"resolution.tab_open":           {"未办结", "Open"},
		"resolution.tab_overdue":        {"已逾期", "Overdue"},
		"resolution.tab_done":           {"已办结", "Done"},

		// Pages
		"resolution.section":           {"决议执行", "Carrying out resolutions"},
		"resolution.empty":             {"这里还没有决议。", "No resolutions here."},
		"resolution.title_n":           {"决议 #%d", "Resolution #%d"},
		"resolution.overdue":           {"已逾期", "Overdue"},
		"resolution.follow":            {"查看决议执行", "Follow the resolution"},
		"resolution.of_topic":          {"本议题形成的决议", "Resolutions from this topic"},
		"resolution.meeting":           {"表决会议", "Adopted at"},
		"resolution.topic":             {"来源议题", "Topic"},
		"resolution.owner":             {"责任人", "Owner"},
		"resolution.no_owner":          {"尚未指定", "Not assigned yet"},
		"resolution.due":               {"完成期限", "Due date"},
		"resolution.no_due":            {"未定", "Not set"},
		"resolution.percent":           {"完成比例", "Percentage done"},
		"resolution.result":            {"办结情况", "Result"},
		"resolution.reason":            {"终止原因", "Reason for abandoning"},
		"resolution.project":           {"生成的项目", "Project"},
		"resolution.ballot_not_held":   {"（候选项目到截止仍不符合投票方式，未举行，可以重新发起票决）", " (not held: its candidates never fit the voting method; another ballot may be started)"},
		"resolution.ballot":            {"生成的票决", "Ballot"},
		"resolution.spawn_project":     {"生成项目清单项目", "Make it a project"},
		"resolution.spawn_ballot":      {"发起票决", "Put it to a ballot"},
		"resolution.spawned_from":      {"来自决议", "From the resolution"},
		"resolution.spawning_from":     {"根据决议 #%s 创建，创建后两边互相链接。", "Made from resolution #%s; both will link to each other."},
		"resolution.timeline":          {"执行记录", "Timeline"},
		"resolution.no_updates":        {"还没有执行记录。", "Nothing recorded yet."},
		"resolution.system":            {"系统", "System"},
		"resolution.owner_phone":       {"责任人手机号", "Owner's phone number"},
		"resolution.assign_hint":       {"责任人须是本议事会成员或本地工作人员；逾期未办结的，系统每天最多催办一次。", "The owner is a member of the council or staff of its place; an overdue resolution is chased at most once a day."},
		"resolution.note":              {"进展情况", "Progress"},
		"resolution.confirm_done":      {"我确认这项决议已经落实，办结后不能再更改。", "I confirm the resolution is carried out; this cannot be changed afterwards."},
		"resolution.confirm_abandon":   {"我确认终止执行这项决议，终止后不能再更改。", "I confirm the resolution is abandoned; this cannot be changed afterwards."},
		"resolution.rating":            {"落实效果评价", "Residents' rating"},
		"resolution.no_ratings":        {"还没有人评价。", "Nobody has rated it yet."},
		"resolution.rating_after_done": {"办结后，居民可以评价落实效果。", "Residents rate the result once it is done."},
		"resolution.rating_summary":    {"%d 人评价，平均 %s 星", "%d rating(s), %s stars on average"},
		"resolution.my_rating":         {"您的评价：%d 星", "Your rating: %d star(s)"},
		"resolution.rate_prompt":       {"您对落实效果满意吗？", "How well was it carried out?"},
		"resolution.rate_once":         {"每人只能评价一次，提交后不能修改。", "Everyone rates once; a rating cannot be changed."},
		"resolution.rate":              {"提交评价", "Rate"},

		// Flashes
		"resolution.assigned":   {"已交办。", "Assigned."},
		"resolution.progressed": {"进展已记录。", "Progress recorded."},
		"resolution.finished":   {"决议已办结。", "The resolution is done."},
		"resolution.abandoned":  {"决议已终止执行。", "The resolution is abandoned."},
		"resolution.rated":      {"谢谢您的评价。", "Thank you for rating."},

		// Notifications
		"resolution.notify_assign":   {"决议“%s”已交办，请关注落实情况。", "The resolution “%s” has an owner and a due date."},
		"resolution.notify_progress": {"决议“%s”有新的落实进展。", "There is progress on the resolution “%s”."},
		"resolution.notify_done":     {"决议“%s”已办结，欢迎评价落实效果。", "The resolution “%s” is done; rate the result."},
		"resolution.notify_abandon":  {"决议“%s”已终止，请查看原因。", "The resolution “%s” was abandoned; see why."},
		"resolution.notify_overdue":  {"决议“%s”已逾期，请尽快落实（催办）。", "The resolution “%s” is overdue; please carry it out."},
	})
}
