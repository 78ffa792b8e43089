package i18n

func init() {
	add(map[string][2]string{
		// Micro-project ballots (民生微实事票决): review reasons and errors.
		"ballot.reason.over_cap":            {"预算超过该类项目的上限。", "The cost is above the cap for this kind of project."},
		"ballot.reason.kind_unknown":        {"项目类型不在审查规则之内。", "The review rules do not cover this kind of project."},
		"ballot.reason.property_duty":       {"属于物业服务企业的职责，不列入票决。", "This is the property company's duty and cannot be put to a ballot."},
		"ballot.reason.already_funded":      {"政府已安排资金，不重复列入。", "This is already funded and cannot be funded twice."},
		"err.ballot_range":                  {"请填写合理的数量。", "Enter a sensible number."},
		"err.ballot_opens_past":             {"开始时间不能早于现在。", "The opening time cannot be in the past."},
		"err.ballot_not_open":               {"现在不在投票时间内。", "Voting is not open now."},
		"err.ballot_not_closed":             {"投票尚未结束。", "The ballot has not closed yet."},
		"err.ballot_started":                {"投票已经开始，定义和候选项目不能再修改。", "The ballot has started: its definition and candidates can no longer change."},
		"err.ballot_options":                {"候选项目的数量不符合投票方式的要求。", "The number of candidates does not suit the voting method."},
		"err.ballot_not_eligible":           {"您不在这次投票的选民名单中。", "You are not on the roll of this ballot."},
		"err.ballot_already_voted":          {"已经投过票了，每人（每户）只能投一次。", "A vote was already cast: each voter (or household) votes once."},
		"err.ballot_choice_empty":           {"请至少选择一项。", "Choose at least one option."},
		"err.ballot_choice_count":           {"选择的数量不符合要求。", "The number of options chosen is not allowed."},
		"err.ballot_choice_unknown":         {"所选项目不在这次投票中。", "An option chosen is not on this ballot."},
		"err.ballot_choice_twice":           {"同一项目不能选两次。", "The same option cannot be chosen twice."},
		"err.ballot_over_budget":            {"所选项目的总金额超过了预算。", "The options chosen cost more than the budget."},
		"err.ballot_same_staff":             {"纸质选票须由另一位工作人员核对确认。", "A paper ballot must be confirmed by a different staff member."},
		"err.ballot_paper_settled":          {"这张纸质选票已经确认过了。", "This paper ballot has already been confirmed."},
		"err.ballot_published":              {"结果已经公示。", "The result is already published."},
		"err.ballot_publicity_running":      {"结果公示期尚未结束，或尚未公示。", "The result has not been published or its publicity period has not ended."},
		"err.ballot_already_funded":         {"入选项目已经转为项目清单。", "The funded candidates are already on the projects list."},
		"err.ballot_candidate_not_feasible": {"只有通过可行性审查的候选项目才能列入投票。", "Only candidates found feasible can be put on a ballot."},
		"err.receipt_unknown":               {"没有找到这个回执码。", "No such receipt code."},
	})
}
