package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"yishi/models"
)

// routes is the whole route table, top to bottom.
func (s *Server) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}))
	e.Use(middleware.Recover())
	e.Use(s.requestLog)
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit("12M"))

	// Probes and static files need no session.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", serveStatic)

	// Everything else has a session (maybe anonymous) and CSRF protection.
	g := e.Group("", s.session, s.csrf)

	// Public pages.
	g.GET("/", s.home)
	g.GET("/login", s.loginPage)
	g.POST("/login", s.login)
	g.GET("/login/code", s.loginCodePage)
	g.POST("/login/code", s.loginCode)
	g.GET("/register", s.registerPage)
	g.POST("/register", s.register)
	g.POST("/prefs", s.prefs)

	// The public bulletin (公示栏): no account needed.
	g.GET("/notices", s.bulletin)
	g.GET("/notices/:id", s.showNotice)
	g.GET("/notices/:id/print", s.printNotice)
	g.GET("/notices/:id/qr.png", s.noticeQR)

	// Resources (资源清单) and projects (项目清单): public once verified or
	// out of draft.
	g.GET("/resources", s.resourcesList)
	g.GET("/resources/export.xlsx", s.resourcesExport)
	g.GET("/projects", s.projectsList)
	g.GET("/projects/export.xlsx", s.projectsExport)
	g.GET("/projects/:id", s.showProject)
	g.GET("/projects/:id/photos/:photo", s.projectPhoto)
	// Micro-project ballots (票决): the list, a ballot's page with its
	// result and receipt lookup, candidate photos and the board, for anyone.
	g.GET("/ballots", s.ballotsList)
	g.GET("/ballots/:id", s.showBallot)
	g.GET("/ballots/:id/board.json", s.ballotBoard)
	g.GET("/ballots/:id/result.xlsx", s.ballotResultExport)
	g.GET("/ballots/:id/candidates/:cid/photos/:pid", s.ballotPhoto)

	// Signed-in pages. (Route-level middleware rather than a group's, so an
	// unknown address is still a plain 404 for a visitor.)
	u := withMiddleware{g, []echo.MiddlewareFunc{requireLogin}}
	u.POST("/logout", s.logout)
	u.GET("/profile", s.profile)
	u.POST("/profile/password", s.changePassword)
	u.POST("/profile/devices/forget", s.forgetDevice)
	u.POST("/profile/sign-out-elsewhere", s.signOutElsewhere)
	u.POST("/profile/second-factor/begin", s.beginSecondFactor)
	u.POST("/profile/second-factor/enable", s.enableSecondFactor)
	u.POST("/profile/second-factor/disable", s.disableSecondFactor)
	u.POST("/notices/:id/objections", s.fileObjection)
	u.GET("/profile/verify", s.verifyPage)
	u.POST("/profile/verify", s.requestVerification)
	u.POST("/profile/verify/invite", s.redeemInvite)
	u.GET("/inbox", s.inbox)
	u.POST("/inbox/read-all", s.inboxReadAll)
	u.POST("/inbox/:id/read", s.inboxRead)
	u.GET("/resources/new", s.newOffer)
	u.POST("/resources", s.createOffer)
	// Voting (see the vote contract in ballotVote) and the budget meter.
	u.POST("/ballots/:id/vote", s.ballotVote)
	u.GET("/ballots/propose", s.proposePage)
	u.POST("/ballots/propose", s.propose)
	u.POST("/ballots/:id/meter", s.ballotMeter)
	// Project steps others than staff take; the store checks who may.
	u.POST("/projects/:id/apply", s.applyForProject)
	u.POST("/projects/:id/progress", s.projectProgress)
	u.POST("/projects/:id/milestones/:mid/done", s.completeMilestone)
	u.POST("/projects/:id/submit", s.submitProject)
	u.POST("/projects/:id/rate", s.rateProject)
	// Project steps for staff who manage projects.
	pj := withMiddleware{g, []echo.MiddlewareFunc{requireLogin, requirePerm(models.PermManageProjects)}}
	pj.GET("/projects/new", s.newProject)
	pj.POST("/projects", s.createProject)
	pj.POST("/projects/:id/offers", s.matchOffer)
	pj.POST("/projects/:id/open-call", s.openCall)
	pj.POST("/projects/:id/start", s.startProject)
	pj.POST("/projects/:id/pick", s.pickUndertaker)
	pj.POST("/projects/:id/milestones", s.addMilestone)
	pj.GET("/projects/:id/accept", s.acceptancePage)
	pj.POST("/projects/:id/accept", s.decideProject)
	pj.POST("/projects/:id/close", s.closeProject)
	pj.GET("/projects/:id/publish", s.publishProjectPage)
	pj.POST("/projects/:id/publish", s.publishProject)

	// Needs (需求清单): filing, following and the steps on each need. Who
	// may take a step is decided per need (filer, staff, taker).
	u.GET("/needs", s.needsList)
	u.GET("/needs/new", s.needNew)
	u.POST("/needs", s.needFile)
	u.GET("/needs/:id", s.needShow)
	u.GET("/needs/:id/photos/:pid", s.needPhoto)
	u.POST("/needs/:id/support", s.needSupport)
	for _, a := range needActionRoutes {
		u.POST("/needs/:id/"+needActionPath(a), s.needAction(a))
	}
	u.POST("/needs/:id/report", s.needReport)
	u.POST("/needs/:id/rate-whistle", s.needRateWhistle)

	// Deliberation councils (议事会): who sees a council, proposes and
	// co-signs a topic, or runs the council is decided per council (staff
	// managing its place, its convener and secretary, residents of its
	// place); setting one up needs the permission.
	u.GET("/councils", s.councilsList)
	cc := withMiddleware{g, []echo.MiddlewareFunc{requireLogin, requirePerm(models.PermManageCouncils)}}
	cc.GET("/councils/new", s.councilNew)
	cc.POST("/councils", s.councilCreate)
	u.GET("/councils/:id", s.councilShow)
	u.POST("/councils/:id/rules", s.councilRules)
	u.POST("/councils/:id/name", s.councilRename)
	u.POST("/councils/:id/members", s.councilAddMember)
	u.POST("/councils/:id/members/:mid/remove", s.councilRemoveMember)
	u.GET("/councils/:id/topics/new", s.topicNew)
	u.POST("/councils/:id/topics", s.topicSubmit)
	u.POST("/councils/:id/meetings", s.meetingCreate)
	u.GET("/topics/:id", s.topicShow)
	u.POST("/topics/:id/cosign", s.topicCosign)
	for _, a := range models.TopicActions {
		u.POST("/topics/:id/"+string(a), s.topicAction(a))
	}
	u.GET("/meetings/:id", s.meetingShow)
	u.POST("/meetings/:id", s.meetingUpdate)
	u.POST("/meetings/:id/agenda", s.agendaAdd)
	for _, step := range []string{"up", "down", "time", "remove"} {
		u.POST("/meetings/:id/agenda/:item/"+step, s.agendaItem(step))
	}
	u.POST("/meetings/:id/agenda/:item/research", s.researchAdd)
	u.GET("/meetings/:id/research/:rid", s.researchFile)
	u.POST("/meetings/:id/announce", s.meetingAnnounce)
	u.POST("/meetings/:id/postpone", s.meetingPostpone)
	u.POST("/meetings/:id/cancel", s.meetingCancel)
	// In session: attendance, motions, votes, the projector.
	u.POST("/meetings/:id/open", s.meetingOpen)
	u.POST("/meetings/:id/close", s.meetingClose)
	u.POST("/meetings/:id/checkin", s.meetingCheckIn)
	u.POST("/meetings/:id/attendance", s.meetingMarkPresent)
	u.POST("/meetings/:id/motions", s.motionAdd)
	for _, a := range models.MotionActions {
		u.POST("/meetings/:id/motions/:mid/"+string(a), s.motionAction(a))
	}
	u.POST("/meetings/:id/motions/:mid/vote", s.motionVote)
	u.POST("/meetings/:id/motions/:mid/hands", s.motionHands)
	u.GET("/meetings/:id/projector", s.meetingProjector)
	u.GET("/meetings/:id/live", s.meetingLive)
	// Minutes (会议记录) of a closed meeting: drafts for the council's
	// members and staff, signed minutes for all who see the council.
	u.GET("/meetings/:id/minutes", s.minutesShow)
	u.GET("/meetings/:id/minutes/print", s.minutesPrint)
	u.POST("/meetings/:id/minutes", s.minutesSave)
	u.POST("/meetings/:id/minutes/start", s.minutesStart)
	u.POST("/meetings/:id/minutes/finalise", s.minutesFinalise)
	u.POST("/meetings/:id/minutes/return", s.minutesReturn)
	u.POST("/meetings/:id/minutes/sign", s.minutesSign)
	u.POST("/meetings/:id/minutes/publish", s.minutesPublish)
	u.POST("/meetings/:id/minutes/amend", s.minutesAmend)
	// Resolutions (决议执行): owner and due date, progress, the end,
	// residents' ratings; spawning a project or a ballot goes through
	// their forms with ?resolution=.
	u.GET("/resolutions/:id", s.resolutionShow)
	u.POST("/resolutions/:id/assign", s.resolutionAssign)
	u.POST("/resolutions/:id/progress", s.resolutionProgress)
	u.POST("/resolutions/:id/done", s.resolutionEnd(models.ResolutionActDone, "resolution.finished", "result"))
	u.POST("/resolutions/:id/abandon", s.resolutionEnd(models.ResolutionActAbandon, "resolution.abandoned", "reason"))
	u.POST("/resolutions/:id/rate", s.resolutionRate)
	// Village matters (四议两公开): who sees a matter, and who records its
	// steps, is decided per village; registering one and defining chains
	// needs the permission to manage councils.
	u.GET("/matters", s.mattersList)
	cc.GET("/matters/new", s.matterNew)
	cc.POST("/matters", s.matterCreate)
	cc.GET("/matters/chains", s.chainsList)
	cc.GET("/matters/chains/new", s.chainNew)
	cc.POST("/matters/chains", s.chainCreate)
	cc.GET("/matters/chains/:id", s.chainShow)
	cc.POST("/matters/chains/:id", s.chainUpdate)
	u.GET("/matters/:id", s.matterShow)
	u.GET("/matters/:id/print", s.matterPrint)
	u.POST("/matters/:id/steps/:pos", s.matterStep)

	// Staff console.
	con := g.Group("/console", requireLogin, requirePerm(models.PermConsole))
	con.GET("", s.console)

	// Console: notices.
	cn := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermPublishNotices)}}
	cn.GET("/notices", s.consoleNotices)
	cn.GET("/notices/new", s.newNotice)
	cn.POST("/notices", s.createNotice)
	cn.GET("/notices/:id", s.consoleNotice)
	cn.POST("/notices/:id", s.updateNotice)
	cn.POST("/notices/:id/publish", s.publishNotice)
	cn.POST("/notices/:id/withdraw", s.withdrawNotice)
	cn.POST("/notices/:id/objections/:oid/answer", s.answerObjection)
	// Console: the place tree, roles, accounts and the audit trail.
	places := requirePerm(models.PermManagePlaces)
	con.GET("/places", s.consolePlaces, places)
	con.POST("/places", s.consoleAddRoot, places)
	con.GET("/places/:id", s.consolePlace, places)
	con.POST("/places/:id/children", s.consoleAddChild, places)
	con.POST("/places/:id/rename", s.consoleRenamePlace, places)
	con.GET("/places/:id/delete", s.consoleDeletePlacePage, places)
	con.POST("/places/:id/delete", s.consoleDeletePlace, places)
	roles := requirePerm(models.PermGrantRoles)
	con.GET("/roles", s.consoleRoles, roles)
	con.GET("/roles/:place", s.consoleRolesAt, roles)
	con.POST("/roles/:place", s.consoleGrant, roles)
	con.GET("/roles/revoke/:grant", s.consoleRevokePage, roles)
	con.POST("/roles/revoke/:grant", s.consoleRevoke, roles)
	unlock := requirePerm(models.PermUnlockAccounts)
	con.GET("/accounts", s.consoleAccounts, unlock)
	con.GET("/accounts/:id", s.consoleAccount, unlock)
	con.POST("/accounts/:id/unlock", s.consoleUnlock, unlock)
	con.POST("/accounts/:id/second-factor/reset", s.consoleResetSecondFactor, unlock)
	con.GET("/audit", s.consoleAudit, requirePerm(models.PermViewAudit))
	// Residents: verification requests, the roster, invitation codes,
	// import and export.
	res := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermManageResidents)}}
	res.GET("/registrations", s.registrations)
	res.GET("/registrations/:id", s.registration)
	res.POST("/registrations/:id/approve", s.approveRegistration)
	res.POST("/registrations/:id/reject", s.rejectRegistration)
	res.GET("/residents", s.residents)
	res.GET("/residents/households/:id", s.household)
	res.POST("/residents/households/:id/residents", s.addResident)
	res.POST("/residents/households/:id/invites", s.createInvite)
	res.GET("/residents/people/:id/edit", s.editResident)
	res.POST("/residents/people/:id", s.updateResident)
	res.GET("/residents/people/:id/remove", s.removeResidentPage)
	res.POST("/residents/people/:id/remove", s.removeResident)
	res.GET("/residents/import", s.importPage)
	res.POST("/residents/import", s.uploadImport)
	res.GET("/residents/import/:id", s.importPreview)
	res.POST("/residents/import/:id/commit", s.commitImport)
	res.GET("/residents/template.csv", s.rosterTemplate("csv"))
	res.GET("/residents/template.xlsx", s.rosterTemplate("xlsx"))
	res.GET("/residents/export.csv", s.rosterExport("csv"))
	res.GET("/residents/export.xlsx", s.rosterExport("xlsx"))
	needsCon := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermHandleNeeds)}}
	needsCon.GET("/needs", s.consoleNeeds)
	needsCon.GET("/takers", s.consoleTakers)
	needsCon.POST("/takers", s.createTaker)
	needsCon.GET("/categories", s.consoleCategories)
	needsCon.POST("/categories/:id", s.setCategoryLimits)
	// Needs dashboard (需求看板) and the .xlsx downloads of its figures and
	// of the staff needs list.
	dash := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermHandleNeeds)}}
	dash.GET("/dashboard", s.dashboard)
	dash.GET("/dashboard/export.xlsx", s.dashboardExport)
	dash.GET("/needs/export.xlsx", s.needsExport)
	// Resources: verification queue.
	rs := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermManageProjects)}}
	rs.GET("/resources", s.consoleResources)
	rs.POST("/resources/:id/verify", s.verifyOffer)
	rs.POST("/resources/:id/withdraw", s.withdrawOffer)
	// Ballots (票决): definition, candidates and their review, opening,
	// roll amendments, paper ballots with a second confirmation, the
	// service-station kiosk, publishing and funding.
	bc := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermManageBallots)}}
	bc.GET("/ballots", s.consoleBallots)
	bc.GET("/ballots/new", s.newBallot)
	bc.POST("/ballots", s.createBallot)
	bc.GET("/ballots/:id", s.consoleBallot)
	bc.POST("/ballots/:id", s.updateBallot)
	bc.POST("/ballots/:id/candidates", s.addBallotCandidate)
	bc.POST("/ballots/:id/candidates/:cid/remove", s.removeBallotCandidate)
	bc.POST("/ballots/:id/open", s.openBallot)
	bc.POST("/ballots/:id/amend", s.amendBallot)
	bc.GET("/ballots/:id/paper", s.paperPage)
	bc.POST("/ballots/:id/paper", s.enterPaper)
	bc.POST("/ballots/:id/paper/:pid/confirm", s.confirmPaper)
	bc.GET("/ballots/:id/kiosk", s.kioskPage)
	bc.POST("/ballots/:id/kiosk", s.kioskVerify)
	bc.GET("/ballots/:id/kiosk/vote", s.kioskVoteForm)
	bc.POST("/ballots/:id/kiosk/vote", s.kioskVote)
	bc.POST("/ballots/:id/kiosk/start", s.kioskStart)
	bc.POST("/ballots/:id/publish", s.publishBallot)
	bc.POST("/ballots/:id/fund", s.fundBallot)
	bc.GET("/candidates", s.consoleCandidates)
	bc.POST("/candidates", s.createCandidate)
	bc.POST("/candidates/:id/review", s.reviewCandidate)
}

// withMiddleware registers routes on a group with extra route-level middleware.
type withMiddleware struct {
	g *echo.Group
	m []echo.MiddlewareFunc
}

// GET registers a GET route.
func (w withMiddleware) GET(path string, h echo.HandlerFunc) { w.g.GET(path, h, w.m...) }

// POST registers a POST route.
func (w withMiddleware) POST(path string, h echo.HandlerFunc) { w.g.POST(path, h, w.m...) }
