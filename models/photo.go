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
// A JPEG's EXIF orientation is applied first, so a phone photo taken
// sideways is stored upright.
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
	if o := jpegOrientation(data); o > 1 {
		dst = orient(dst, o)
		w, h = dst.Bounds().Dx(), dst.Bounds().Dy()
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

// jpegOrientation reads the EXIF orientation (1 to 8) of a JPEG, or 1 when
// it has none or the data cannot be read.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 { // image data starts: no EXIF before it
			return 1
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation finds tag 0x0112 in IFD0 of a TIFF block.
func exifOrientation(t []byte) int {
	var u16 func([]byte) int
	var u32 func([]byte) int
	switch string(t[:2]) {
	case "II":
		u16 = func(b []byte) int { return int(b[0]) | int(b[1])<<8 }
		u32 = func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 | int(b[3])<<24 }
	case "MM":
		u16 = func(b []byte) int { return int(b[1]) | int(b[0])<<8 }
		u32 = func(b []byte) int { return int(b[3]) | int(b[2])<<8 | int(b[1])<<16 | int(b[0])<<24 }
	default:
		return 1
	}
	ifd := u32(t[4:8])
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	count := u16(t[ifd:])
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if u16(t[e:]) == 0x0112 {
			if o := u16(t[e+8:]); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns img upright for EXIF orientation o (2 to 8).
func orient(img *image.RGBA, o int) *image.RGBA {
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := W, H
	if o >= 5 {
		dw, dh = H, W
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = W-1-x, y
			case 3:
				sx, sy = W-1-x, H-1-y
			case 4:
				sx, sy = x, H-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, H-1-x
			case 7:
				sx, sy = W-1-y, H-1-x
			case 8:
				sx, sy = W-1-y, x
			default:
				sx, sy = x, y
			}
			si := img.PixOffset(sx+img.Rect.Min.X, sy+img.Rect.Min.Y)
			copy(out.Pix[out.PixOffset(x, y):out.PixOffset(x, y)+4], img.Pix[si:si+4])
		}
	}
	return out
}
