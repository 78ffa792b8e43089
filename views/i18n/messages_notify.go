package i18n

func init() {
	add(map[string][2]string{
		// Inbox (站内通知)
		"nav.inbox":                      {"消息", "Messages"},
		"nav.inbox_unread":               {"%d 条未读", "%d unread"},
		"inbox.title":                    {"我的消息", "My messages"},
		"inbox.intro":                    {"与您有关的事项都会在这里通知您：派给您的需求、您的需求有了进展、请您评价、办理超时等。", "Everything that concerns you is announced here: needs dispatched to you, progress on your needs, requests to rate, overdue items."},
		"inbox.unread_count":             {"未读 %d 条", "%d unread"},
		"inbox.empty":                    {"暂时没有消息。有与您有关的事项时，会在这里通知您。", "No messages yet. When something concerns you, it will appear here."},
		"inbox.unread":                   {"未读", "Unread"},
		"inbox.read":                     {"已读", "Read"},
		"inbox.open":                     {"查看", "Open"},
		"inbox.mark_read":                {"标为已读", "Mark as read"},
		"inbox.mark_all_read":            {"全部标为已读", "Mark all as read"},
		"inbox.all_marked":               {"所有消息已标为已读。", "All messages are marked as read."},
		"inbox.nothing_to_mark":          {"没有未读消息。", "There are no unread messages."},
		"inbox.received_at":              {"收到时间", "Received"},
		"notify.need_dispatched":         {"需求 #%s 已派给您办理，请及时接单。", "Need #%s has been dispatched to you. Please take it on promptly."},
		"notify.need_recalled":           {"需求 #%s 已由工作人员撤回，不再由您办理。", "Need #%s was recalled by staff; you no longer handle it."},
		"notify.need_sent_back":          {"需求 #%s 被提出人发回重办，请继续办理。", "Need #%s was sent back by its filer. Please continue working on it."},
		"notify.need_returned":           {"需求 #%s 被承接方退回，请重新派单。", "Need #%s was returned by its taker. Please dispatch it again."},
		"notify.need_overdue":            {"需求 #%s 已超过办理时限，请尽快处理（催办）。", "Need #%s is overdue. Please deal with it as soon as possible."},
		"notify.need_rate_please":        {"您提出的需求 #%s 已办理完成，请确认并评价。7 天内未评价将自动办结。", "Your need #%s has been reported done. Please confirm and rate it; without a rating it closes after 7 days."},
		"notify.need_auto_closed":        {"您提出的需求 #%s 7 天内未评价，已自动办结。", "Your need #%s was not rated within 7 days and has been closed."},
		"notify.whistle_called":          {"街道就需求 #%s 吹哨，请贵单位及时报到并处理。", "The street has blown the whistle on need #%s. Please report and act promptly."},
		"notify.need_status.submitted":   {"您提出的需求 #%s 已提交，等待受理。", "Your need #%s has been submitted and awaits review."},
		"notify.need_status.accepted":    {"您提出的需求 #%s 已受理，等待派单。", "Your need #%s has been accepted and awaits dispatch."},
		"notify.need_status.dispatched":  {"您提出的需求 #%s 已派单。", "Your need #%s has been dispatched."},
		"notify.need_status.in_progress": {"您提出的需求 #%s 正在办理。", "Your need #%s is being worked on."},
		"notify.need_status.done":        {"您提出的需求 #%s 已办理完成。", "Your need #%s has been reported done."},
		"notify.need_status.closed":      {"您提出的需求 #%s 已办结。", "Your need #%s is closed."},
		"notify.need_status.declined":    {"您提出的需求 #%s 不予受理，请查看原因。", "Your need #%s was declined. Please see the reason."},
		"notify.need_status.merged":      {"您提出的需求 #%s 已与相同的需求合并办理。", "Your need #%s was merged with a matching need."},
		"notify.sms_prefix":              {"【议事】", "[Yishi] "},
	})
}
