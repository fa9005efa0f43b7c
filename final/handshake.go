package final

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch05"
)

// tlsConn is a connection served over TLS: *tls.Conn, or a wrapper around
// one that forwards these two methods (the --max-conns listener's).
type tlsConn interface {
	HandshakeContext(ctx context.Context) error
	ConnectionState() tls.ConnectionState
}

// plainHTTPReply is net/http's answer to a client that speaks plain HTTP
// to a TLS port: nothing it could read would be understood otherwise.
const plainHTTPReply = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

// errPlainHTTP is the handshake's failure when the client spoke plain
// HTTP where a TLS record should start.
var errPlainHTTP = errors.New("client sent an HTTP request to an HTTPS server")

// tlsStateKey is the context key under which a TLS connection's context
// holds its *tls.ConnectionState.
type tlsStateKey struct{}

// handshake is chapter 5's ConnContext hook for a server that may serve
// TLS: for a TLS connection, it runs the handshake before the first
// request is read, bounded by timeout, and returns ctx with the
// connection's state, which withTLSState gives every request on it as
// r.TLS, as net/http does. crypto/tls would otherwise run the handshake
// inside the first read, where its failure looks like the request's and
// no request could be told the connection's state.
//
// Before that, it marks a connection from a trusted gateway (markGateway).
//
// A client that spoke plain HTTP where a TLS record should start (a
// request line, as net/http recognises it) gets net/http's answer, a 400
// in plain text, on the raw connection. Any failure closes the
// connection, and chapter 5's loop, finding it closed, ends at once. A
// client that left before the handshake is ordinary life, logged only
// when connLife is set.
func handshake(timeout time.Duration, connLife bool, logf func(string, ...any)) func(context.Context, net.Conn) context.Context {
	if timeout == 0 {
		timeout = ch05.DefaultReadHeaderTimeout
	}
	return func(ctx context.Context, c net.Conn) context.Context {
		ctx = markGateway(ctx, c)
		tc, ok := c.(tlsConn)
		if !ok {
			return ctx
		}
		if timeout > 0 {
			//nolint:errcheck // a dead connection fails the handshake next
			c.SetDeadline(time.Now().Add(timeout))
		}
		err := tc.HandshakeContext(ctx)
		if err == nil {
			//nolint:errcheck // the loop sets its read deadline next; writes have none
			c.SetWriteDeadline(time.Time{})
			state := tc.ConnectionState()
			return context.WithValue(ctx, tlsStateKey{}, &state) // one per connection, as in net/http
		}
		var re tls.RecordHeaderError
		switch {
		case errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader):
			// The rest of the request is unread: linger, or the kernel's
			// reset may destroy the reply before the client reads it.
			if _, werr := io.WriteString(re.Conn, plainHTTPReply); werr == nil {
				ch02.LingerClose(re.Conn)
			}
			logf("final: %s: TLS handshake: %v", c.RemoteAddr(), errPlainHTTP)
		case errors.Is(err, io.EOF):
			if connLife {
				logf("final: %s: closed before the TLS handshake", c.RemoteAddr())
			}
		default:
			logf("final: %s: TLS handshake: %v", c.RemoteAddr(), err)
		}
		c.Close() //nolint:errcheck // the handshake's error is the one to report
		return ctx
	}
}

// looksLikeHTTP reports whether the first five bytes of what should have
// been a TLS record are the start of an HTTP request instead: the test of
// net/http's tlsRecordHeaderLooksLikeHTTP.
func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// withTLSState sets r.TLS, on a connection served over TLS, to the
// state its handshake left in the connection's context.
func withTLSState(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, ok := r.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok {
			r.TLS = st
		}
		h.ServeHTTP(w, r)
	})
}
