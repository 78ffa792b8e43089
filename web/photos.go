package web

import (
	"errors"
	"io"

	"github.com/labstack/echo/v4"

	"yishi/models"
)

// readPhotos reads up to max uploaded photos from the multipart field
// "photos", each checked by its content, scaled down and re-encoded without
// metadata (models.ProcessPhoto). Problems come back as field errors under
// "photos"; an empty file input is skipped.
func readPhotos(c echo.Context, max int) ([]models.Photo, models.FieldErrors, error) {
	fe := models.FieldErrors{}
	mf, err := c.MultipartForm()
	if err != nil || mf == nil {
		return nil, fe, nil
	}
	var photos []models.Photo
	files := 0
	for _, fh := range mf.File["photos"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if files++; files > max {
			fe.Add("photos", "err.too_many_photos")
			break
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fe, err
		}
		data, err := io.ReadAll(io.LimitReader(f, models.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return nil, fe, err
		}
		ph, err := models.ProcessPhoto(data)
		var de *models.Error
		if errors.As(err, &de) {
			fe.Add("photos", de.Code)
			continue
		} else if err != nil {
			return nil, fe, err
		}
		photos = append(photos, ph)
	}
	return photos, fe, nil
}
