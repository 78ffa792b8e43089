package models

import (
	"bytes"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits on uploaded photos.
const (
	// MaxPhotoBytes is the largest upload accepted for one photo.
	MaxPhotoBytes = 8 << 20
	// MaxPhotoPixels guards against decompression bombs: a small file that
	// claims a huge image is refused before it is decoded.
	MaxPhotoPixels = 40_000_000
	// PhotoLongSide is the longest side a stored photo keeps.
	PhotoLongSide = 1600
	photoQuality  = 82
)

// Photo errors, with their catalog keys.
var (
	ErrPhotoType  = &Error{Code: "err.photo_type"}
	ErrPhotoLarge = &Error{Code: "err.photo_too_large"}
)

// ProcessPhoto checks an uploaded photo (照片) by its content, not its name:
// JPEG, PNG, GIF or WebP, at most MaxPhotoBytes and MaxPhotoPixels. It
// scales it down to PhotoLongSide on the long side and re-encodes it as
// JPEG, which drops every metadata block (EXIF with its location, comments).
// EXIF orientation is not applied: a phone photo taken sideways stays as
// its pixels lie.
func ProcessPhoto(data []byte) (Photo, error) {
	if len(data) == 0 {
		return Photo{}, ErrPhotoType
	}
	if len(data) > MaxPhotoBytes {
		return Photo{}, ErrPhotoLarge
	}
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch http.DetectContentType(data) {
	case "image/jpeg":
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case "image/png":
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case "image/gif":
		decode = func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }
	case "image/webp":
		decode = func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) }
	default:
		return Photo{}, ErrPhotoType
	}
	cfg, err := config(data)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Photo{}, ErrPhotoType
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return Photo{}, ErrPhotoLarge
	}
	src, err := decode(data)
	if err != nil {
		return Photo{}, ErrPhotoType
	}
	w, h := PhotoFit(src.Bounds().Dx(), src.Bounds().Dy(), PhotoLongSide)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// A white ground for transparent PNG, GIF and WebP: JPEG has no alpha.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	if w == src.Bounds().Dx() && h == src.Bounds().Dy() {
		draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Over)
	} else {
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: photoQuality}); err != nil {
		return Photo{}, err
	}
	return Photo{ContentType: "image/jpeg", Data: buf.Bytes(), Width: w, Height: h}, nil
}

// PhotoFit scales w×h down so that its long side is at most max, keeping
// the aspect ratio; smaller images keep their size.
func PhotoFit(w, h, max int) (int, int) {
	if w <= max && h <= max {
		return w, h
	}
	if w >= h {
		nh := int(int64(h) * int64(max) / int64(w))
		if nh < 1 {
			nh = 1
		}
		return max, nh
	}
	nw := int(int64(w) * int64(max) / int64(h))
	if nw < 1 {
		nw = 1
	}
	return nw, max
}
