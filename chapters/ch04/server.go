package ch04

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
)

// Server serves an http.Handler over HTTP/1.1, one request per
// connection. It runs on chapter 1's accept loop (a goroutine per
// connection, backoff on temporary accept errors, Close) with ServeConn as
// its ch01.ConnHandler.
//
// Set the fields before calling Serve or ListenAndServe, and do not change
// them after.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on, ":8080" if empty.
	Addr string

	// Handler answers every request. If nil, http.DefaultServeMux is used,
	// as net/http does. "OPTIONS *" is answered by the server itself with
	// 200 and no body, as net/http does, since no path can route it.
	Handler http.Handler

	// Limits bounds each request, as chapter 2's parser does: zero fields
	// mean chapter 2's defaults, except MaxBodyBytes: if zero,
	// DefaultMaxBodyBytes is used; if negative, bodies are not limited (as
	// with net/http, where a handler sets its own limit with
	// http.MaxBytesReader).
	Limits ch02.Limits

	// ReadHeaderTimeout bounds the time from accepting a connection to
	// having read the request head. If zero, DefaultReadHeaderTimeout is
	// used; if negative, there is none. The body is not bounded: a handler
	// that reads slowly on purpose (an upload) sets its own deadline with
	// http.ResponseController.
	ReadHeaderTimeout time.Duration

	// Logf receives one line per request (client, request line, status),
	// rejected requests, handler panics with their stacks, and the
	// Response's complaints. If nil, nothing is logged.
	Logf ch01.Logf

	loop Acceptor
}

// Acceptor holds the chapter 1 server that runs an HTTP server's accept
// loop, made on first use from the HTTP server's fields, and the context
// every connection's requests descend from: the part every later
// chapter's server shares.
type Acceptor struct {
	mu     sync.Mutex
	tcp    *ch01.Server
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Context returns the parent of every request's context on the
// connections the loop serves. Cancel cancels it, with ErrServerClosed as
// the cause: a handler waiting on r.Context() learns that the server
// closed, even one whose connection nothing reads (a body not read to its
// end leaves the watch on the client unstarted).
func (l *Acceptor) Context() context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.makeContext()
	return l.ctx
}

// Cancel cancels Context; a server's Close calls it before it closes the
// connections.
func (l *Acceptor) Cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.makeContext()
	l.cancel(ErrServerClosed)
}

// makeContext makes the context on first use; l.mu is held.
func (l *Acceptor) makeContext() {
	if l.ctx == nil {
		l.ctx, l.cancel = context.WithCancelCause(context.Background())
	}
}

// Get returns the chapter 1 server, creating it for addr, h and logf on
// the first call; later calls return the same one.
func (l *Acceptor) Get(addr string, h ch01.ConnHandler, logf ch01.Logf) *ch01.Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tcp == nil {
		l.tcp = &ch01.Server{Addr: addr, Handler: h, Logf: logf}
	}
	return l.tcp
}

// listener returns the chapter 1 server that runs the accept loop.
func (s *Server) listener() *ch01.Server { return s.loop.Get(s.Addr, s, s.Logf) }

// ListenAndServe listens on s.Addr and serves until Close, then returns
// ErrServerClosed.
func (s *Server) ListenAndServe() error { return s.listener().ListenAndServe() }

// Serve accepts connections on ln and serves each in its own goroutine
// until Close, then returns ErrServerClosed. It closes ln.
func (s *Server) Serve(ln net.Listener) error { return s.listener().Serve(ln) }

// Close stops the server: it closes the listeners and every connection,
// and waits for their goroutines (chapter 1's Close). A handler still
// running sees its writes fail and, if it watches its request's context,
// the context cancelled, with ErrServerClosed as its cause. A
// connection hijacked by a handler that has returned is no longer the
// server's, and stays open.
func (s *Server) Close() error {
	s.loop.Cancel()
	return s.listener().Close()
}

// ServeConn serves one request on rwc and closes it: chapter 4's
// connection loop, and the server's ch01.ConnHandler. It is shaped like
// net/http's (*conn).serve, minus the loop: a deferred recover and close
// first; the head read under a deadline; the handler run in this goroutine by Serve; the response
// finished and flushed; the connection closed (every response said
// "Connection: close").
func (s *Server) ServeConn(rwc net.Conn) {
	ctx, cancel := context.WithCancel(s.loop.Context()) // the connection's: see ch05's ServeConnWith
	defer cancel()
	c := NewConn(ctx, rwc, s.limits(), s.Logf)
	defer func() {
		// Handlers' panics are recovered by Serve; one here is a bug of
		// this package, and must still cost one connection only.
		if v := recover(); v != nil {
			s.logf("ch04: %s: panic serving connection: %v\n%s", c.RemoteAddr(), v, debug.Stack())
		}
		if err := c.Close(); err != nil && !isNetError(err) {
			s.logf("ch04: %s: close: %v", c.RemoteAddr(), err)
		}
	}()

	timeout := s.readHeaderTimeout()
	if timeout > 0 {
		rwc.SetReadDeadline(time.Now().Add(timeout))
	}
	pr, err := c.ReadRequest()
	if err == nil && timeout > 0 {
		rwc.SetReadDeadline(time.Time{})
	}
	if err != nil {
		s.reject(c, err)
		return
	}
	r, w, err := c.NewRequest(pr, false)
	if err != nil {
		s.reject(c, err)
		return
	}
	Serve(HandlerFor(s.Handler, r), w, r)
	if err := w.Finish(); err != nil {
		s.logf("ch04: %s: write: %v", c.RemoteAddr(), err)
	}
	if s.Logf != nil { // the check spares the arguments' allocations
		s.Logf("ch04: %s: %s %s %s: %d", c.RemoteAddr(), r.Method, r.RequestURI, r.Proto, w.Status())
	}
}

// reject answers a request that could not be read or built: with its
// status (ch03.WriteError: 400, 413, 414, 431, 501, 505) when it is the
// client's fault, with nothing when the client closed before sending
// anything or the connection failed (an answer would not arrive).
func (s *Server) reject(c *Conn, err error) {
	var se *ch02.StatusError
	switch {
	case err == io.EOF:
	case errors.As(err, &se), errors.Is(err, ErrBadTarget):
		s.logf("ch04: %s: rejected with %d: %v", c.RemoteAddr(), ch02.StatusCode(err), err)
		if err := ch03.WriteError(c.Writer(), err); err != nil {
			s.logf("ch04: %s: write: %v", c.RemoteAddr(), err)
		}
	default:
		s.logf("ch04: %s: read: %v", c.RemoteAddr(), err)
	}
}

// optionsHandler answers "OPTIONS *", a question about the server as a
// whole (RFC 9110 section 9.3.7), with an empty 200.
type optionsHandler struct{}

func (optionsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
}

func (s *Server) limits() ch02.Limits {
	lim := s.Limits
	switch {
	case lim.MaxBodyBytes == 0:
		lim.MaxBodyBytes = DefaultMaxBodyBytes
	case lim.MaxBodyBytes < 0:
		lim.MaxBodyBytes = 0 // chapter 2's "no limit"
	}
	return lim
}

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout == 0 {
		return DefaultReadHeaderTimeout
	}
	return s.ReadHeaderTimeout
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// isNetError reports whether err is the connection failing (reset,
// timeout, closed) rather than the client sending a bad request.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe)
}
