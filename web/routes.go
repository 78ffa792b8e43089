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
	g.GET("/register", s.registerPage)
	g.POST("/register", s.register)
	g.POST("/prefs", s.prefs)

	// Signed-in pages. (Route-level middleware rather than a group's, so an
	// unknown address is still a plain 404 for a visitor.)
	u := withMiddleware{g, []echo.MiddlewareFunc{requireLogin}}
	u.POST("/logout", s.logout)
	u.GET("/profile", s.profile)
	u.POST("/profile/password", s.changePassword)
	u.GET("/profile/verify", s.verifyPage)
	u.POST("/profile/verify", s.requestVerification)
	u.POST("/profile/verify/invite", s.redeemInvite)

	// Staff console.
	con := g.Group("/console", requireLogin, requirePerm(models.PermConsole))
	con.GET("", s.console)

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
