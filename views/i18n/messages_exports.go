package i18n

func init() {
	add(map[string][2]string{
		// Spreadsheet downloads of the resources and projects lists
		"export.download":          {"下载表格（.xlsx，按当前筛选）", "Download spreadsheet (.xlsx, current filters)"},
		"export.sheet_resources":   {"资源清单", "Resources"},
		"export.sheet_projects":    {"项目清单", "Projects"},
		"export.file_resources":    {"资源清单", "resources"},
		"export.file_projects":     {"项目清单", "projects"},
		"export.col_id":            {"编号", "No."},
		"export.col_title":         {"名称", "Title"},
		"export.col_place":         {"地点", "Place"},
		"export.col_status":        {"状态", "Status"},
		"export.col_budget":        {"预算（元）", "Budget (yuan)"},
		"export.col_percent":       {"进度（%）", "Progress (%)"},
		"export.col_undertaker":    {"承接方", "Undertaker"},
		"export.col_start":         {"开始日期", "Start"},
		"export.col_end":           {"结束日期", "End"},
		"export.col_accepted":      {"验收日期", "Accepted on"},
		"export.col_provider_kind": {"提供方类型", "Provider kind"},
		"export.col_window":        {"可用期限", "Available"},
		"export.col_phone":         {"联系电话", "Phone"},
		"export.col_hours":         {"贡献时长（小时）", "Hours given"},
		"export.col_needs_taken":   {"承接需求数", "Needs taken"},
		"export.col_projects":      {"参与项目数", "Projects"},
	})
}
