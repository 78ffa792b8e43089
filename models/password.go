package models

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := deriveKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches an encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := deriveKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// hashSlots bounds how many argon2id keys are derived at once to the
// CPUs: each takes 19 MiB and a CPU for tens of milliseconds, so a flood of
// sign-in attempts would otherwise take the machine's memory. Beyond the
// bound, attempts wait their turn.
var hashSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// deriveKey is argon2.IDKey within hashSlots.
func deriveKey(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return (*idKey.Load())(pw, salt, t, m, p, n)
}

// keyFunc derives an argon2id key.
type keyFunc func(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte

// idKey derives the key: argon2.IDKey, wrapped by tests that watch
// deriveKey's bound while other tests hash.
// It is set before dummyHash, which hashes as the package starts.
var idKey = func() *atomic.Pointer[keyFunc] {
	var p atomic.Pointer[keyFunc]
	f := keyFunc(argon2.IDKey)
	p.Store(&f)
	return &p
}()

// dummyHash is checked against when no account matches a phone, so a
// sign-in takes as long whether or not the phone is registered.
var dummyHash, _ = HashPassword("yishi-no-such-account")
