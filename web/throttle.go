package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Sign-in limits per network address, beside the lockout of an account
// after models.MaxFailedLogins wrong passwords: that one stops guessing one
// account's password, this one trying one common password on many
// accounts, or probing which phone numbers have one.
const (
	// MaxFailedSignIns is how many failed sign-ins one address (an IPv4
	// address, or an IPv6 /64, one household's or phone's network) may
	// make within SignInWindow; then it is refused until the oldest
	// failure leaves the window. A community service station or a mobile
	// network shares one address among many honest people, who rarely
	// fail thirty times in a quarter of an hour together.
	MaxFailedSignIns = 30
	// SignInWindow is the span MaxFailedSignIns counts.
	SignInWindow = 15 * time.Minute
	// maxThrottled bounds the addresses remembered: beyond it the expired
	// are dropped, and if none are, everything is forgotten (the limit
	// fails open rather than taking unbounded memory under a flood from
	// many addresses, which the per-account lockout still meets).
	maxThrottled = 100_000
)

// addrLimiter counts failed sign-ins per network address within a sliding
// window, in this process. Several processes behind one balancer each
// count their own share. Attempts under way count as failures until they
// end, so a burst sent at once cannot all pass the check before the first
// has failed.
type addrLimiter struct {
	mu    sync.Mutex
	addrs map[netip.Prefix]*addrCount
}

type addrCount struct {
	fails   []time.Time // the most recent failures, oldest first, at most MaxFailedSignIns
	pending int         // attempts under way
}

// busyWait is how long an address is told to wait when its attempts under
// way, not its failures, fill the limit.
const busyWait = time.Minute

// count returns key's count with the failures older than the window at
// now dropped, nil when nothing is left; l.mu is held.
func (l *addrLimiter) count(key netip.Prefix, now time.Time) *addrCount {
	n := l.addrs[key]
	if n == nil {
		return nil
	}
	i := 0
	for i < len(n.fails) && now.Sub(n.fails[i]) >= SignInWindow {
		i++
	}
	n.fails = append(n.fails[:0], n.fails[i:]...)
	if len(n.fails) == 0 && n.pending == 0 {
		delete(l.addrs, key)
		return nil
	}
	return n
}

// begin starts a sign-in attempt from key at now, unless key's failures
// and attempts under way fill the limit: then it returns false and until
// when to wait. Every begun attempt is ended with end.
func (l *addrLimiter) begin(key netip.Prefix, now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.count(key, now)
	if n != nil && len(n.fails)+n.pending >= MaxFailedSignIns {
		if len(n.fails) >= MaxFailedSignIns {
			return n.fails[0].Add(SignInWindow), false
		}
		return now.Add(busyWait), false
	}
	if n == nil {
		if l.addrs == nil {
			l.addrs = map[netip.Prefix]*addrCount{}
		}
		if len(l.addrs) >= maxThrottled {
			for k := range l.addrs {
				l.count(k, now)
			}
			if len(l.addrs) >= maxThrottled {
				clear(l.addrs)
			}
		}
		n = &addrCount{}
		l.addrs[key] = n
	}
	n.pending++
	return time.Time{}, true
}

// end ends an attempt begun at key, a failure at now when failed.
func (l *addrLimiter) end(key netip.Prefix, now time.Time, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.addrs[key]
	if n == nil {
		return // forgotten meanwhile (maxThrottled)
	}
	n.pending = max(0, n.pending-1)
	if failed {
		n.fails = append(n.fails, now)
		if len(n.fails) > MaxFailedSignIns {
			n.fails = append(n.fails[:0], n.fails[len(n.fails)-MaxFailedSignIns:]...)
		}
	}
	l.count(key, now)
}

// throttleKey is the network a client address stands for: the address
// itself for IPv4, its /64 for IPv6, as one household or phone is given a
// whole /64.
func throttleKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// ParseTrustedProxies reads a comma-separated list of addresses and
// networks ("127.0.0.1, 10.0.0.0/8, ::1") of the reverse proxies whose
// X-Forwarded-For header is believed.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client behind r: the peer's, unless
// the peer is a trusted proxy; then the last address of X-Forwarded-For
// that is not a trusted proxy (each proxy appends the address it heard
// from, so what lies left of an untrusted one may be forged). forwarded
// says the header was there but not believed: a proxy that is missing
// from the trusted list, which makes every client look like the proxy.
func clientAddr(r *http.Request, proxies []netip.Prefix) (a netip.Addr, forwarded bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap().WithZone("")
	xff := r.Header.Values("X-Forwarded-For")
	if !trusted(proxies, peer) {
		return peer, len(xff) > 0
	}
	hops := strings.Split(strings.Join(xff, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a forged or broken entry: trust nothing left of it
		}
		hop = hop.Unmap().WithZone("")
		if !trusted(proxies, hop) {
			return hop, false
		}
		peer = hop
	}
	return peer, false
}
