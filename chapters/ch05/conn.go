package ch05

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
	"github.com/httpfromscratch/course/chapters/ch04"
)

// conn is the server side of one persistent connection: chapter 4's Conn,
// which holds the buffers, the parser and the responses, and what the
// keep-alive loop carries from one request to the next.
type conn struct {
	s      *Server
	rwc    net.Conn
	hc     *ch04.Conn
	cm     ConnManager // where hc comes from; nil: ch04.NewConn
	body   requestBody // the current request's body, as the handler reads it
	served int         // requests read on this connection so far
}

// ConnManager makes the ch04.Conn each connection is served with and
// waits on connections between requests. ServeConn's own way is the
// simplest: one ch04.Conn per connection, kept for its whole life, and
// a wait that peeks at its reader. A server can choose another way, for
// example to keep idle connections without their buffers.
type ConnManager interface {
	// NewConn returns the ch04.Conn to serve rwc with, as ch04.NewConn
	// makes it.
	NewConn(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf) *ch04.Conn
	// Wait waits until the first byte of a request has arrived on hc's
	// connection, and returns the ch04.Conn to go on with: hc, or another
	// serving the same connection. The first wait (idle false) runs
	// under the head's deadline already set. An idle wait, after a
	// request, with nothing of the next one buffered, must end with
	// os.ErrDeadlineExceeded once timeout has passed (if timeout > 0),
	// which Wait enforces its own way.
	Wait(hc *ch04.Conn, idle bool, timeout time.Duration) (*ch04.Conn, error)
	// Done is called once hc is closed, never after a hijack: hc will
	// not be used again.
	Done(hc *ch04.Conn)
}

// ServeConn serves requests on rwc, one after another, until the client
// or the server closes it, and then closes it: the server's
// ch01.ConnHandler. Chapter 4's ServeConn served one request; this is the
// same shape with the loop net/http's (*conn).serve has.
func (s *Server) ServeConn(rwc net.Conn) { s.ServeConnWith(s.loop.Context(), rwc, nil) }

// ServeConnWith serves rwc as ServeConn does, with its ch04.Conns made
// and its waits done by cm (nil for ServeConn's own way). base is the
// parent of the connection's context (ConnContext's ctx): the serving
// loop's ch04.Acceptor.Context, which its Close cancels.
func (s *Server) ServeConnWith(base context.Context, rwc net.Conn, cm ConnManager) {
	s.setState(rwc, http.StateNew)
	ctx := base
	if s.ConnContext != nil {
		if ctx = s.ConnContext(ctx, rwc); ctx == nil {
			panic("ch05: ConnContext returned nil") // as net/http does: a bug of the caller's
		}
	}
	// The connection's own cancellable context, as net/http's conn.serve
	// makes: each request's context hangs from it, not from base, whose
	// one lock every connection would otherwise take twice a request.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &conn{s: s, rwc: rwc, cm: cm}
	if cm != nil {
		c.hc = cm.NewConn(ctx, rwc, s.limits(), s.Logf)
	} else {
		c.hc = ch04.NewConn(ctx, rwc, s.limits(), s.Logf)
	}
	c.serve()
}

// serve is the connection loop. Each turn: wait for the first byte of a
// request (under the idle deadline, or for the first request the header
// deadline that started when serve did), read the head under the
// header deadline, run the handler with no deadline, finish the response,
// and decide whether to go round again.
func (c *conn) serve() {
	defer func() {
		// Handlers' panics are recovered by ch04.Serve; one here is a bug
		// of this package, and must still cost one connection only.
		if v := recover(); v != nil {
			c.s.logf("ch05: %s: panic serving connection: %v\n%s", c.hc.RemoteAddr(), v, debug.Stack())
		}
		if c.hc.Hijacked() {
			return // the handler's now: not ours to close
		}
		// Close flushes what is buffered; an error means the client is
		// gone already, and there is nobody left to tell.
		_ = c.hc.Close()
		c.s.setState(c.rwc, http.StateClosed)
		if c.cm != nil {
			c.cm.Done(c.hc)
		}
	}()

	setReadTimeout(c.rwc, c.s.readHeaderTimeout())
	for {
		if err := c.waitForRequest(); err != nil {
			c.idleEnded(err)
			return
		}
		var start time.Time
		if c.s.OnResponse != nil {
			start = time.Now()
		}
		c.s.setState(c.rwc, http.StateActive)
		if c.served > 0 && !c.nextHeadBuffered() {
			// The clock for the head starts at its first byte, not when the
			// connection went idle: waiting is the idle timeout's business.
			// A head that is already whole in the reader needs no clock:
			// reading it will not wait for the client.
			setReadTimeout(c.rwc, c.s.readHeaderTimeout())
		}
		pr, err := c.hc.ReadRequest()
		if err != nil {
			c.reject(err)
			return
		}
		c.rwc.SetReadDeadline(time.Time{}) // the handler's reads are its own business
		if !c.serveRequest(pr, start) {
			return
		}
		c.s.setState(c.rwc, http.StateIdle)
	}
}

// skipStrayCRLF drops a CRLF left alone in the reader after a request,
// and reports whether it did. Old clients send one after a body (RFC 9112
// section 2.2), and a server should ignore it. Left there, it would count
// as the start of the next request, and the wait that follows would run
// on the header timeout and end in a 408 on a connection that was only
// idle.
func (c *conn) skipStrayCRLF() bool {
	br := c.hc.Reader()
	if br.Buffered() != len("\r\n") {
		return false
	}
	if b, _ := br.Peek(2); string(b) != "\r\n" {
		return false
	}
	_, _ = br.Discard(2) // buffered: cannot fail
	return true
}

// waitForRequest waits until the first byte of a request has arrived:
// Peek blocks until the reader holds at least one byte, and reads nothing
// past what the socket has. The first wait runs under the header deadline
// that started when serve did; a wait after a request, with nothing of
// the next one buffered, is the idle wait, under the idle deadline.
func (c *conn) waitForRequest() error {
	skipped := c.served > 0 && c.skipStrayCRLF()
	for {
		if err := c.wait(c.served > 0 && c.hc.Reader().Buffered() == 0); err != nil {
			return err
		}
		// The CRLF may come on its own, after the wait began: skip that
		// one too, and wait again, as idle. One per request: a client
		// sending CRLFs for ever must not hold the connection for ever.
		if skipped || c.served == 0 || !c.skipStrayCRLF() {
			return nil
		}
		skipped = true
	}
}

// wait waits for the reader to hold a byte: on the idle timeout when
// idle, else under the deadline already set.
func (c *conn) wait(idle bool) error {
	if c.cm != nil {
		hc, err := c.cm.Wait(c.hc, idle, c.s.idleTimeout())
		c.hc = hc
		return err
	}
	if idle {
		setReadTimeout(c.rwc, c.s.idleTimeout())
	}
	_, err := c.hc.Reader().Peek(1)
	return err
}

// serveRequest runs the handler for pr and finishes its response. It
// reports whether the connection may carry another request.
func (c *conn) serveRequest(pr *ch02.Request, start time.Time) bool {
	s := c.s
	exp := expectationOf(pr)
	if hasContent(pr) {
		c.body.reset(pr.Body, pr.ContentLength, exp == expectContinue)
		pr.Body = &c.body // chapter 4 reads the body through it
	} else {
		c.body.reset(nil, 0, false)
	}
	// true: keep-alive unless decided otherwise below, before any byte of
	// the response is written.
	r, w, err := c.hc.NewRequest(pr, true)
	if err != nil {
		c.reject(err)
		return false
	}
	c.served++
	c.body.w = w

	p := persistence{
		clientClose: r.Close,
		disabled:    !s.keepAlivesEnabled(),
		served:      c.served,
		max:         s.MaxRequestsPerConn,
	}
	if !keepAlive(p) {
		w.CloseAfter() // the head will say "Connection: close"
	}
	h := ch04.HandlerFor(s.Handler, r)
	if exp == expectUnknown {
		h = expectationFailed{}
	}
	if c.hc.Writer().Buffered() > 0 && !bodyBuffered(pr, c.hc.Reader()) {
		// Responses held back for a pipelined batch go out before a
		// handler reads a body: the client may wait for them before it
		// sends the body. (A failure shows in the handler's writes.)
		_ = c.hc.Writer().Flush()
	}
	ch04.Serve(h, w, r)
	if c.hc.Hijacked() {
		_ = w.Finish() // cancels the request's context; writes nothing
		s.setState(c.rwc, http.StateHijacked)
		c.responded(r, w, start, false)
		return false
	}

	// The handler has returned: its context ends now, not after the
	// drain. From here on the loop is the body's only reader: a goroutine
	// the handler left behind (http.TimeoutHandler's inner handler, say)
	// must not read on while the loop drains, nor read the next request.
	w.EndContext()
	w.CloseBody()

	// Ask again, now that the handler has spoken: keep-alives may have been
	// turned off meanwhile, the response may have to close, and what the
	// handler left of the body must be read before the next request.
	p.disabled = !s.keepAlivesEnabled()
	p.responseClose = w.MustClose()
	if keepAlive(p) {
		p.bodyLeft = !c.body.drain(c.rwc, s.maxDrainBytes(), s.readHeaderTimeout())
	}
	if !keepAlive(p) {
		w.CloseAfter()
	}
	_ = w.Finish() // a write error makes MustClose true
	keep := !w.MustClose()
	// Reported before the last bytes go: once the client has its
	// response, the access log has its line.
	c.responded(r, w, start, keep)
	// A pipelining client sent the next request already: leave this
	// response in the buffer, to go out in one write with the next one.
	if !keep || !c.nextHeadBuffered() {
		if c.hc.Writer().Flush() != nil {
			keep = false
		}
	}
	if w.WriteDeadlineSet() {
		// The handler's deadline was for its own response (net/http
		// clears it here too): left, it would cut the next one.
		c.rwc.SetWriteDeadline(time.Time{})
	}
	c.body = requestBody{} // let the request and response go while the connection idles
	return keep
}

// bodyBuffered reports whether pr's body, if it has one, is in br
// already, so that reading it waits for nobody. A chunked body's length
// is unknown until it is read: it may wait.
func bodyBuffered(pr *ch02.Request, br *bufio.Reader) bool {
	switch {
	case !hasContent(pr):
		return true
	case pr.Chunked:
		return false
	}
	return int64(br.Buffered()) >= pr.ContentLength
}

// headEnd is the empty line that ends a request head.
var headEnd = []byte("\r\n\r\n")

// nextHeadBuffered reports whether the reader already holds the whole
// head of another request. Holding only part of one is not enough: if
// the client sent a stray CRLF after a body, or half a head, and waits for
// this response before sending more, keeping the response back would
// leave both sides waiting for each other.
func (c *conn) nextHeadBuffered() bool {
	br := c.hc.Reader()
	n := br.Buffered()
	if n == 0 {
		return false
	}
	buf, _ := br.Peek(n) // only bytes already buffered: no read
	return bytes.Contains(buf, headEnd)
}

// responded reports a finished response to the OnResponse hook and the
// log.
func (c *conn) responded(r *http.Request, w *ch04.Response, start time.Time, keep bool) {
	if c.s.OnResponse != nil {
		c.s.OnResponse(r, w.Status(), w.Written(), start)
	}
	if c.s.Logf != nil && !c.s.QuietRequests { // the check spares the arguments' allocations
		next := "kept open"
		if !keep {
			next = "closing"
		}
		c.s.Logf("ch05: %s: %s %s %s: %d (request %d on this connection, %s)",
			c.hc.RemoteAddr(), r.Method, r.RequestURI, r.Proto, w.Status(), c.served, next)
	}
}

// idleEnded logs why no request came: the client closed, or the idle or
// header timeout ran out. None of these gets an answer (RFC 9112 section
// 9.5: a server closing an idle connection just closes it), and none is
// an error: they are logged only without QuietConnLife.
func (c *conn) idleEnded(err error) {
	if c.s.QuietConnLife {
		return
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) && c.served == 0:
		c.s.logf("ch05: %s: no request within %v, closing", c.hc.RemoteAddr(), c.s.readHeaderTimeout())
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.s.logf("ch05: %s: idle for %v, closing", c.hc.RemoteAddr(), c.s.idleTimeout())
	}
}

// reject answers a request that could not be read or built, and the loop
// then closes the connection: after a bad head, where the next request
// would start is anyone's guess. A client that ran out of time mid-head
// gets 408 Request Timeout (RFC 9110 section 15.5.9); a request chapter 2
// or 4 refused gets its status (ch03.WriteError: 400, 413, 414, 431, 501,
// 505); a client that closed or reset gets nothing, since no answer would
// arrive.
func (c *conn) reject(err error) {
	var se *ch02.StatusError
	switch {
	case err == io.EOF:
		return
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = &ch02.StatusError{Code: http.StatusRequestTimeout, Err: ErrHeaderTimeout}
	case errors.As(err, &se), errors.Is(err, ch04.ErrBadTarget):
	default:
		c.s.logf("ch05: %s: read: %v", c.hc.RemoteAddr(), err)
		return
	}
	c.s.logf("ch05: %s: rejected with %d: %v", c.hc.RemoteAddr(), ch02.StatusCode(err), err)
	if err := ch03.WriteError(c.hc.Writer(), err); err != nil {
		c.s.logf("ch05: %s: write: %v", c.hc.RemoteAddr(), err)
	}
}

// setReadTimeout sets rwc's read deadline d from now, or none when d is
// zero.
func setReadTimeout(rwc net.Conn, d time.Duration) {
	if d <= 0 {
		rwc.SetReadDeadline(time.Time{})
		return
	}
	rwc.SetReadDeadline(time.Now().Add(d))
}
