package final

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/httpfromscratch/course/chapters/ch01"
)

// parseAllowIPs parses --forwarded-allow-ips: IP addresses and CIDR
// ranges, comma-separated, or "*" for every address (Gunicorn's syntax).
// Empty, as in a Flags built in code, is the default: 127.0.0.1.
func parseAllowIPs(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		s = "127.0.0.1"
	}
	var out []netip.Prefix
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "*":
			out = append(out, netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))
			continue
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("--forwarded-allow-ips: %q is not a CIDR range such as 10.0.0.0/8", item)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("--forwarded-allow-ips: %q is not an IP address or CIDR range (use a comma-separated list, such as 127.0.0.1,10.0.0.0/8)", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// proxyPolicy maps --forwarded-allow-ips onto go-proxyproto's policies: a
// trusted peer must send the header (REQUIRE), any other must not
// (REJECT) and is otherwise served as it is. A Unix socket's peer is a
// process of this machine allowed by the socket file's permissions, as a
// load balancer on the same host is: trusted.
func proxyPolicy(trusted []netip.Prefix) proxyproto.ConnPolicyFunc {
	return func(o proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
		switch a := o.Upstream.(type) {
		case *net.UnixAddr:
			return proxyproto.REQUIRE, nil
		case *net.TCPAddr:
			ip, ok := netip.AddrFromSlice(a.IP)
			if ok {
				ip = ip.Unmap()
				for _, p := range trusted {
					if p.Contains(ip) {
						return proxyproto.REQUIRE, nil
					}
				}
			}
		}
		return proxyproto.REJECT, nil
	}
}

// proxyListener reads the PROXY protocol header (v1 or v2) that a load
// balancer sends before the client's bytes, so that RemoteAddr, and so
// r.RemoteAddr and the access log, is the client's address rather than
// the load balancer's. It wraps the listening socket, under TLS: the
// header comes before the TLS handshake.
//
// The header is read in the connection's own goroutine, not in Accept
// (the first RemoteAddr, Read or Write reads it), under timeout: a peer
// that sends nothing holds only its own goroutine, and not for longer.
type proxyListener struct {
	net.Listener
	policy  proxyproto.ConnPolicyFunc
	timeout time.Duration
	logf    ch01.Logf
	refused *atomic.Int64 // connections refused, shared by the listeners
	lastLog *atomic.Int64 // when a refusal was last logged, Unix nanoseconds
}

func newProxyListeners(lns []net.Listener, trusted []netip.Prefix, timeout time.Duration, logf ch01.Logf) []net.Listener {
	policy, refused, lastLog := proxyPolicy(trusted), new(atomic.Int64), new(atomic.Int64)
	out := make([]net.Listener, len(lns))
	for i, ln := range lns {
		out[i] = &proxyListener{Listener: ln, policy: policy, timeout: timeout, logf: logf, refused: refused, lastLog: lastLog}
	}
	return out
}

func (l *proxyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	policy, err := l.policy(proxyproto.ConnPolicyOptions{Upstream: c.RemoteAddr(), Downstream: c.LocalAddr()})
	if err != nil {
		policy = proxyproto.REJECT
	}
	sc := &seenConn{Conn: c}
	pc := proxyproto.NewConn(sc, proxyproto.WithPolicy(policy), proxyproto.SetReadHeaderTimeout(l.timeout))
	return &proxyConn{Conn: pc, raw: c, seen: sc, l: l, policy: policy}, nil
}

// proxyConn is a connection whose PROXY header has been, or is about to
// be, read. A header that is missing where it is required, present where
// it is not allowed, or malformed, fails every Read and Write with the
// reason: the server then closes the connection without an answer.
//
// It does not expose the socket (syscall.Conn), unlike limit.go's
// wrapper: the header's reader may hold the first bytes of the request,
// which a wait on the bare socket (ch09's idleReader) would miss. Such a
// connection waits for its requests with its buffers, as a TLS one does.
type proxyConn struct {
	*proxyproto.Conn
	raw    net.Conn
	seen   *seenConn
	l      *proxyListener
	policy proxyproto.Policy
	once   sync.Once
	err    error
}

// header reads the PROXY header once, and logs a refusal.
func (c *proxyConn) header() error {
	c.once.Do(func() {
		// A read of nothing runs the library's header read and returns its
		// verdict, consuming no byte of the request.
		_, c.err = c.Conn.Read(nil)
		if c.err == nil {
			return
		}
		if errors.Is(c.err, proxyproto.ErrNoProxyProtocol) && !c.seen.any {
			return // closed, or timed out, without a byte: ordinary life
		}
		reason := "bad PROXY header: " + c.err.Error()
		switch {
		case errors.Is(c.err, proxyproto.ErrNoProxyProtocol):
			reason = "no PROXY header from an address in --forwarded-allow-ips"
		case errors.Is(c.err, proxyproto.ErrSuperfluousProxyHeader):
			reason = "PROXY header from an address not in --forwarded-allow-ips"
		}
		n := c.l.refused.Add(1)
		// At most a line a second: a scanner must not flood the log.
		now, last := time.Now().UnixNano(), c.l.lastLog.Load()
		if (last == 0 || now-last >= int64(time.Second)) && c.l.lastLog.CompareAndSwap(last, now) {
			c.l.logf("final: %s: refused: %s (%d so far)", c.raw.RemoteAddr(), reason, n)
		}
	})
	return c.err
}

// RemoteAddr is the client's address from the header, or the peer's when
// there is none (an untrusted peer, a v2 LOCAL health check, a refusal).
func (c *proxyConn) RemoteAddr() net.Addr {
	if c.header() != nil {
		return c.raw.RemoteAddr()
	}
	return c.Conn.RemoteAddr()
}

// LocalAddr is the address the client connected to, from the header.
func (c *proxyConn) LocalAddr() net.Addr {
	if c.header() != nil {
		return c.raw.LocalAddr()
	}
	return c.Conn.LocalAddr()
}

func (c *proxyConn) Read(b []byte) (int, error) {
	if err := c.header(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *proxyConn) Write(b []byte) (int, error) {
	if err := c.header(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// CloseWrite keeps half-close working through the wrapper.
func (c *proxyConn) CloseWrite() error {
	if cw, ok := c.raw.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// seenConn records whether the peer sent any byte, so that a connection
// closed without one is not logged as a refusal.
type seenConn struct {
	net.Conn
	any bool
}

func (c *seenConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.any = true
	}
	return n, err
}
