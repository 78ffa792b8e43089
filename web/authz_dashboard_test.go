package web_test

// The needs dashboard and the .xlsx downloads: staff who handle needs, and
// staff of one community never get another community's figures or list.
func init() {
	matrix = append(matrix,
		matrixRoute{"GET", "/console/dashboard", staffAnywhere()},
		matrixRoute{"GET", "/console/dashboard?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/dashboard?place={com2}", staffOf2()},
		matrixRoute{"GET", "/console/dashboard/export.xlsx", staffAnywhere()},
		matrixRoute{"GET", "/console/dashboard/export.xlsx?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/dashboard/export.xlsx?place={com2}", staffOf2()},
		matrixRoute{"GET", "/console/needs/export.xlsx", staffAnywhere()},
		matrixRoute{"GET", "/console/needs/export.xlsx?place={com1}&overdue=1", staffOf1()},
		matrixRoute{"GET", "/console/needs/export.xlsx?place={com2}", staffOf2()},
	)
}
