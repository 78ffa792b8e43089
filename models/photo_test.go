package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 EXIF segment and a COM comment after the SOI marker.
func withEXIF(jpg []byte, text string) []byte {
	exif := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte(text)...)
	seg := func(marker byte, payload []byte) []byte {
		out := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(out[2:], uint16(len(payload)+2))
		return append(out, payload...)
	}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg(0xE1, exif)...)
	out = append(out, seg(0xFE, []byte(text))...)
	return append(out, jpg[2:]...)
}

func TestProcessPhotoStripsMetadata(t *testing.T) {
	in := withEXIF(testJPEG(t, 64, 48), "GPS 31.2304N 121.4737E secret-comment")
	if !bytes.Contains(in, []byte("secret-comment")) {
		t.Fatal("test input has no comment")
	}
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input is not a JPEG: %v", err)
	}
	ph, err := ProcessPhoto(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ph.Data, []byte("secret-comment")) || bytes.Contains(ph.Data, []byte("Exif")) {
		t.Fatal("metadata survived the re-encoding")
	}
	if ph.ContentType != "image/jpeg" || ph.Width != 64 || ph.Height != 48 {
		t.Fatalf("got %s %dx%d", ph.ContentType, ph.Width, ph.Height)
	}
}

func TestProcessPhotoRefusesNonImages(t *testing.T) {
	for name, data := range map[string][]byte{
		"text named .jpg": []byte("this is a text file, renamed photo.jpg\n"),
		"empty":           nil,
		"html":            []byte("<html><script>alert(1)</script></html>"),
		"broken jpeg":     append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 50)...),
	} {
		if _, err := ProcessPhoto(data); !errors.Is(err, ErrPhotoType) {
			t.Errorf("%s: got %v, want ErrPhotoType", name, err)
		}
	}
}

// pngHeader is a PNG signature and IHDR chunk claiming w×h, with no pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestProcessPhotoRefusesDecompressionBombs(t *testing.T) {
	if _, err := png.DecodeConfig(bytes.NewReader(pngHeader(50000, 50000))); err != nil {
		t.Fatalf("the bomb header does not parse: %v", err)
	}
	if _, err := ProcessPhoto(pngHeader(50000, 50000)); !errors.Is(err, ErrPhotoLarge) {
		t.Fatalf("got %v, want ErrPhotoLarge", err)
	}
}

func TestProcessPhotoScalesDown(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2400, 1200))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	ph, err := ProcessPhoto(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if ph.Width != 1600 || ph.Height != 800 {
		t.Fatalf("scaled to %dx%d, want 1600x800", ph.Width, ph.Height)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(ph.Data))
	if err != nil || cfg.Width != 1600 || cfg.Height != 800 {
		t.Fatalf("stored image %v %+v", err, cfg)
	}
}

func TestPhotoFit(t *testing.T) {
	cases := []struct{ w, h, ww, wh int }{
		{100, 50, 100, 50}, {3200, 1600, 1600, 800}, {1000, 4000, 400, 1600}, {1600, 1600, 1600, 1600}, {20000, 1, 1600, 1},
	}
	for _, c := range cases {
		if w, h := PhotoFit(c.w, c.h, 1600); w != c.ww || h != c.wh {
			t.Errorf("PhotoFit(%d,%d) = %d,%d want %d,%d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

// orientedJPEG is a 40×20 JPEG, red on the left half and blue on the
// right, carrying EXIF orientation o in the given byte order.
func orientedJPEG(t *testing.T, o uint16, order binary.ByteOrder) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			c := color.RGBA{220, 0, 0, 255}
			if x >= 20 {
				c = color.RGBA{0, 0, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	jpg := buf.Bytes()
	tiff := make([]byte, 8+2+12+4)
	if order == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	order.PutUint16(tiff[2:], 42)
	order.PutUint32(tiff[4:], 8)
	order.PutUint16(tiff[8:], 1)       // one entry
	order.PutUint16(tiff[10:], 0x0112) // Orientation
	order.PutUint16(tiff[12:], 3)      // SHORT
	order.PutUint32(tiff[14:], 1)      // count
	order.PutUint16(tiff[18:], o)      // value
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// TestProcessPhotoAppliesOrientation: a sideways phone photo is stored
// upright. Turned a quarter clockwise (orientation 6), the red left half
// ends on top; a quarter anticlockwise (8), at the bottom; upside down
// (3), on the right.
func TestProcessPhotoAppliesOrientation(t *testing.T) {
	red := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return r > 0x9000 && b < 0x6000 }
	cases := []struct {
		o            uint16
		w, h         int
		redX, redY   int // a point that must be red
		blueX, blueY int // and one that must be blue
	}{
		{1, 40, 20, 5, 10, 35, 10},
		{3, 40, 20, 35, 10, 5, 10},
		{6, 20, 40, 10, 5, 10, 35},
		{8, 20, 40, 10, 35, 10, 5},
	}
	for _, c := range cases {
		for _, order := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			ph, err := ProcessPhoto(orientedJPEG(t, c.o, order))
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(ph.Data))
			if err != nil {
				t.Fatal(err)
			}
			if ph.Width != c.w || ph.Height != c.h || img.Bounds().Dx() != c.w {
				t.Fatalf("orientation %d: %d×%d, want %d×%d", c.o, ph.Width, ph.Height, c.w, c.h)
			}
			if !red(img.At(c.redX, c.redY)) || red(img.At(c.blueX, c.blueY)) {
				t.Errorf("orientation %d (%v): not turned upright", c.o, order)
			}
			if bytes.Contains(ph.Data, []byte("Exif")) {
				t.Errorf("orientation %d: EXIF kept", c.o)
			}
		}
	}
}
