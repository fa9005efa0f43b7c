package ch04

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// tlsConn is a connection served over TLS: *tls.Conn, or a wrapper around
// one that forwards these two methods (a listener that counts its
// connections, say).
type tlsConn interface {
	HandshakeContext(ctx context.Context) error
	ConnectionState() tls.ConnectionState
}

// plainHTTPReply is net/http's answer to a client that speaks plain HTTP
// to a TLS port: nothing it could read would be understood otherwise.
const plainHTTPReply = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

// Handshake runs the TLS handshake of a connection served over TLS and
// records the connection's state, which every request on the Conn then
// carries in r.TLS, as net/http's requests do. On a plain connection it
// does nothing and returns nil: r.TLS stays nil. Call it once, before the
// first ReadRequest; crypto/tls would otherwise run the handshake inside
// the first read, where its failure looks like the request's and no
// request could be told the connection's state.
//
// timeout bounds the handshake, reads and writes (zero or negative: no
// bound): Handshake sets it as the connection's deadline, and afterwards
// clears the write deadline and leaves the read deadline for the caller to
// set. The handshake runs with the Conn's context (NewConn's ctx).
//
// A client that spoke plain HTTP where a TLS record should start (a
// request line, as net/http recognises it) gets net/http's answer, a 400
// in plain text, on the raw connection, and Handshake returns
// ErrPlainHTTP. Any other failure is crypto/tls's error. Either way, close
// the Conn.
func (c *Conn) Handshake(timeout time.Duration) error {
	tc, ok := c.rwc.(tlsConn)
	if !ok {
		return nil
	}
	if timeout > 0 {
		c.rwc.SetDeadline(time.Now().Add(timeout))
	}
	if err := tc.HandshakeContext(c.ctx); err != nil {
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
			// The rest of the request is unread: linger, or the kernel's
			// reset may destroy the reply before the client reads it. If
			// the reply could not be written, there is nothing to save.
			if _, werr := io.WriteString(re.Conn, plainHTTPReply); werr == nil {
				ch02.LingerClose(re.Conn)
			}
			return ErrPlainHTTP
		}
		return err
	}
	c.rwc.SetWriteDeadline(time.Time{})
	state := tc.ConnectionState()
	c.tlsState = &state // one per connection, shared by its requests, as in net/http
	return nil
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
