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

	// Staff console.
	con := g.Group("/console", requireLogin, requirePerm(models.PermConsole))
	con.GET("", s.console)
	needsCon := withMiddleware{con, []echo.MiddlewareFunc{requirePerm(models.PermHandleNeeds)}}
	needsCon.GET("/needs", s.consoleNeeds)
	needsCon.GET("/takers", s.consoleTakers)
	needsCon.POST("/takers", s.createTaker)
	needsCon.GET("/categories", s.consoleCategories)
	needsCon.POST("/categories/:id", s.setCategoryLimits)
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
