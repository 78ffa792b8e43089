package main

import (
	"path/filepath"
	"testing"
)

func TestServeRefusesABadSMSGateway(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(t.TempDir(), "y.db")
	c.fails([]string{"is not an http(s) URL"}, "serve", "--addr", "127.0.0.1:0", "--db", db, "--sms-url", "ftp://sms.example/{phone}")
	c.fails([]string{"neither GET nor POST"}, "serve", "--addr", "127.0.0.1:0", "--db", db, "--sms-url", "https://sms.example/send?to={phone}", "--sms-method", "PUT")
}
