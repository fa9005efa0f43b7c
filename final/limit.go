package final

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
)

// overloadReply is what a connection past MaxConns gets: a complete 503
// with Retry-After, so a client or load balancer knows to come back, and
// "Connection: close" (RFC 9110 section 15.6.4).
const overloadReply = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 20\r\n" +
	"Retry-After: 1\r\n" +
	"Connection: close\r\n\r\n" +
	"server at capacity\r\n"

// overloadWriteTimeout bounds writing the 503, so a refused client
// cannot hold a goroutine by not reading (nor, over TLS, by stalling the
// handshake the write runs first).
const overloadWriteTimeout = time.Second

// limitListener returns a listener that lets at most max connections be
// open at once. One past the limit is still accepted (the kernel already
// did), answered 503 and closed, rather than left waiting in the accept
// queue where it looks like a dead server.
func limitListener(ln net.Listener, max int, logf ch01.Logf) net.Listener {
	return limitListeners([]net.Listener{ln}, max, logf)[0]
}

// limitListeners is limitListener for several listeners that share one
// limit: at most max connections open across them all.
func limitListeners(lns []net.Listener, max int, logf ch01.Logf) []net.Listener {
	open, refused := new(atomic.Int64), new(atomic.Int64)
	out := make([]net.Listener, len(lns))
	for i, ln := range lns {
		out[i] = &connLimit{Listener: ln, max: int64(max), open: open, logf: logf, refused: refused}
	}
	return out
}

type connLimit struct {
	net.Listener
	max     int64
	open    *atomic.Int64 // shared by the listeners of one limit
	logf    ch01.Logf
	refused *atomic.Int64
}

func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			cc := &countedConn{Conn: c, release: func() { l.open.Add(-1) }}
			if tc, ok := c.(*tls.Conn); ok {
				return &countedTLSConn{countedConn: cc, tls: tc}, nil
			}
			return cc, nil
		}
		l.open.Add(-1)
		if n := l.refused.Add(1); n == 1 || n%1000 == 0 {
			l.logf("final: %d connections open, the --max-conns limit: refusing with 503 (%d so far)", l.max, n)
		}
		go refuse(c)
	}
}

// refuse answers 503 and closes without reading the request (lingering,
// so the unread request does not turn the close into a reset).
func refuse(c net.Conn) {
	c.SetDeadline(time.Now().Add(overloadWriteTimeout))
	if _, err := io.WriteString(c, overloadReply); err != nil {
		c.Close() // the client is gone or not reading: nothing to linger for
		return
	}
	ch02.LingerClose(c)
}

// countedConn gives its slot back when closed, once.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// SyscallConn exposes the socket through the wrapper, so chapter 9's
// idle connections still wait without buffers (ch09's idleReader).
func (c *countedConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// countedTLSConn is a countedConn around a TLS connection. It forwards
// the handshake and the connection's state, so the server still runs the
// handshake before the first request (and answers plain HTTP with a 400)
// and sets r.TLS through the wrapper (handshake.go).
type countedTLSConn struct {
	*countedConn
	tls *tls.Conn
}

func (c *countedTLSConn) HandshakeContext(ctx context.Context) error {
	return c.tls.HandshakeContext(ctx)
}

func (c *countedTLSConn) ConnectionState() tls.ConnectionState { return c.tls.ConnectionState() }

// CloseWrite keeps half-close working through the wrapper.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
