package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"yishi/models"
)

// idParam reads a positive id from the path; anything else is not found.
func idParam(c echo.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// pageParam reads ?page=, 1 when missing or wrong.
func pageParam(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}
