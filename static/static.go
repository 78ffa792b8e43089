// Package static embeds Yishi's stylesheets, scripts and icons and serves
// them under content-hashed names with long cache lifetimes.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed css js
var files embed.FS

// FS is the embedded tree.
var FS fs.FS = files

var (
	hashed  = map[string]string{} // "css/app.css" -> "css/app.1a2b3c4d.css"
	reverse = map[string]string{} // and back
	urls    = map[string]string{} // "css/app.css" -> "/static/css/app.1a2b3c4d.css": every page asks
)

func init() {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		h := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		hashed[p] = h
		reverse[h] = p
		urls[p] = "/static/" + h
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// URL returns the content-hashed URL of an embedded file, "/static/css/app.<hash>.css".
func URL(name string) string {
	if u, ok := urls[name]; ok {
		return u
	}
	return "/static/" + name
}

// Resolve maps a requested name, hashed or not, to the embedded file and
// reports whether it was the hashed (immutable) form.
func Resolve(name string) (file string, immutable bool, ok bool) {
	if f, found := reverse[name]; found {
		return f, true, true
	}
	if _, found := hashed[name]; found {
		return name, false, true
	}
	return "", false, false
}
