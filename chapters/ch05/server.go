package ch05

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
)

// DefaultIdleTimeout is how long a connection may wait for the next
// request once a response has gone out. An idle connection costs a
// goroutine, a file descriptor and a little memory, and the client may
// have forgotten it; RFC 9112 section 9.5 lets either side close an idle
// connection at any time. 5 s is long enough for a browser's next click on
// the same page, short enough that a crowd of idle clients cannot pin
// thousands of descriptors for long.
const DefaultIdleTimeout = 5 * time.Second

// DefaultReadHeaderTimeout bounds how long a client may take to send a
// request head, from its first byte (from the accept, for a connection's
// first request). It is chapter 4's value: the guard against slowloris, a
// client that sends one header byte every few seconds to hold a
// connection open for ever.
const DefaultReadHeaderTimeout = ch04.DefaultReadHeaderTimeout

// DefaultMaxDrainBytes bounds how much of a request body the server reads
// and throws away when a handler answered without reading it all. The
// next request starts where the body ends, so keeping the connection
// means reading the rest; beyond this bound, closing the connection is
// cheaper than receiving bytes nobody wants. It is net/http's figure.
const DefaultMaxDrainBytes = 256 << 10 // 256 KiB

// ErrServerClosed is returned by Server.Serve and Server.ListenAndServe
// after Server.Close. It is chapter 1's error, so errors.Is works with any
// chapter's name for it.
var ErrServerClosed = ch01.ErrServerClosed

// Server serves an http.Handler over persistent HTTP/1.1 connections:
// chapter 4's request and response bridge, in a loop that reads request
// after request on each connection. It runs on chapter 1's accept loop (a
// goroutine per connection, backoff on temporary accept errors, Close)
// with ServeConn as its ch01.ConnHandler.
//
// Set the fields before calling Serve or ListenAndServe, and do not change
// them after; SetKeepAlivesEnabled and Close may be called at any time,
// from any goroutine.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on, ":8080" if empty.
	Addr string

	// Handler answers every request. If nil, http.DefaultServeMux is used.
	// "OPTIONS *" is answered by the server itself with an empty 200, as
	// chapter 4 and net/http do (ch04.HandlerFor).
	Handler http.Handler

	// Limits bounds each request, as chapter 2's parser does: zero fields
	// mean chapter 2's defaults, except MaxBodyBytes: if zero,
	// ch04.DefaultMaxBodyBytes is used; if negative, bodies are not
	// limited.
	Limits ch02.Limits

	// ReadHeaderTimeout bounds the time a client takes to send a request
	// head, counted from the first byte of the request (from the accept,
	// for the first request; over TLS, it bounds the handshake too, and
	// the first head's clock starts after it). A client that runs out of
	// it mid-head gets 408 Request Timeout and the connection closes. If
	// zero, DefaultReadHeaderTimeout is used; if negative, there is none.
	// It also bounds the server's reading of what a handler left of a
	// body (see MaxDrainBytes). The handler's own reads are not bounded:
	// a handler that reads slowly on purpose sets its own deadline with
	// http.ResponseController.
	ReadHeaderTimeout time.Duration

	// IdleTimeout is how long a connection may wait for the first byte of
	// its next request; then it is closed without a word (RFC 9112
	// section 9.5). If zero, DefaultIdleTimeout is used; if negative,
	// there is none (ReadHeaderTimeout still bounds the head once it has
	// started).
	IdleTimeout time.Duration

	// MaxRequestsPerConn is the most requests one connection may carry;
	// the last one is answered with "Connection: close". It spreads
	// long-lived clients over the processes behind a load balancer, and
	// bounds what one connection can ask for. If zero or negative, there
	// is no limit.
	MaxRequestsPerConn int

	// MaxDrainBytes is the most the server reads of a request body the
	// handler left unread, to reach the next request. A body with more
	// left (known in advance from Content-Length, or found while reading
	// chunks) gets "Connection: close" instead. If zero,
	// DefaultMaxDrainBytes is used; if negative, nothing is drained and
	// any unread body closes the connection.
	MaxDrainBytes int64

	// Logf receives the server's log lines: each finished request (unless
	// QuietRequests), rejected requests, handler panics with their stacks,
	// accept errors, the Responses' complaints. If nil, nothing is logged.
	Logf ch01.Logf

	// QuietRequests keeps finished requests out of Logf: a server with an
	// access log (chapter 8) reports them there, and Logf keeps the
	// errors.
	QuietRequests bool

	// QuietConnLife keeps the ordinary ends of connections out of Logf:
	// a keep-alive connection closed after IdleTimeout, a connection that
	// sent no byte of a request within ReadHeaderTimeout, a client that
	// left before its TLS handshake. They are normal life, not errors: a
	// browser leaves several idle connections behind every page, and
	// opens some it never uses. A production server sets it and logs
	// them only when asked to; a 408 mid-head and a failed TLS handshake
	// are still logged.
	QuietConnLife bool

	// ConnState, if set, is called when a connection changes state, with
	// net/http's states and meanings: http.StateNew once accepted;
	// http.StateActive when the first byte of a request arrives (before
	// the head is complete, so a connection with a request on its way is
	// never taken for idle); http.StateIdle once a response has been
	// written and the connection waits for the next request;
	// http.StateHijacked when a handler took the connection (reported
	// when the handler returns; terminal, no StateClosed follows);
	// http.StateClosed once closed. It is called from the connection's
	// goroutine, so it must not block. Chapter 7 builds graceful shutdown
	// on it: it knows which connections are idle and may be closed now.
	ConnState func(net.Conn, http.ConnState)

	// ConnContext, if set, returns the context for a new connection,
	// derived from ctx; every request's context on that connection
	// derives from it, as with net/http's field of the same name.
	ConnContext func(ctx context.Context, c net.Conn) context.Context

	// OnResponse, if set, is called after each response is finished: the
	// handler returned and the response is complete in the connection's
	// buffer, just before its last bytes are flushed (so a client that
	// holds the response knows the hook has run). It gets the request as the handler saw it, the status sent
	// (500 after a panic; 0 or 101 after a hijack), the body bytes the
	// handler wrote (counted, not sent, for HEAD), and the time the
	// request's first byte arrived. Requests rejected before a handler ran
	// (400, 408, 413, 414, 431, 501, 505) have no *http.Request and are
	// reported through Logf only. It runs in the connection's goroutine,
	// before the next request is read: chapter 8's access log hangs here.
	OnResponse func(r *http.Request, status int, written int64, start time.Time)

	noKeepAlives atomic.Bool

	loop ch04.Acceptor
}

// listener returns the chapter 1 server that runs the accept loop.
func (s *Server) listener() *ch01.Server { return s.loop.Get(s.Addr, s, s.Logf) }

// ListenAndServe listens on s.Addr and serves until Close, then returns
// ErrServerClosed.
func (s *Server) ListenAndServe() error { return s.listener().ListenAndServe() }

// Serve accepts connections on ln and serves each in its own goroutine
// until Close, then returns ErrServerClosed. It closes ln.
func (s *Server) Serve(ln net.Listener) error { return s.listener().Serve(ln) }

// Close stops the server at once: it closes the listeners and every
// connection, busy or idle, and waits for their goroutines. A handler
// still running sees its request's context cancelled and its writes fail.
// Connections taken over with Hijack are not closed: they are the
// handlers'. Chapter 7 adds the graceful way.
func (s *Server) Close() error {
	s.loop.Cancel()
	return s.listener().Close()
}

// SetKeepAlivesEnabled turns persistent connections on (the default) or
// off. While they are off, every response says "Connection: close" and
// its connection closes after it, including the response of a request in
// progress, when its head is still unwritten. A connection waiting idle is
// not woken: it serves at most one more request that way, or times out.
// It is safe to call from any goroutine while the server runs.
func (s *Server) SetKeepAlivesEnabled(v bool) { s.noKeepAlives.Store(!v) }

// keepAlivesEnabled reports whether SetKeepAlivesEnabled left persistent
// connections on.
func (s *Server) keepAlivesEnabled() bool { return !s.noKeepAlives.Load() }

func (s *Server) limits() ch02.Limits {
	lim := s.Limits
	switch {
	case lim.MaxBodyBytes == 0:
		lim.MaxBodyBytes = ch04.DefaultMaxBodyBytes
	case lim.MaxBodyBytes < 0:
		lim.MaxBodyBytes = 0 // chapter 2's "no limit"
	}
	return lim
}

// timeout applies the convention of the duration fields: zero means the
// default, negative means none (0 here).
func timeout(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

func (s *Server) readHeaderTimeout() time.Duration {
	return timeout(s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
}

func (s *Server) idleTimeout() time.Duration { return timeout(s.IdleTimeout, DefaultIdleTimeout) }

// maxDrainBytes returns the drain bound; 0 means draining is off.
func (s *Server) maxDrainBytes() int64 {
	switch {
	case s.MaxDrainBytes == 0:
		return DefaultMaxDrainBytes
	case s.MaxDrainBytes < 0:
		return 0
	}
	return s.MaxDrainBytes
}

func (s *Server) setState(c net.Conn, st http.ConnState) {
	if s.ConnState != nil {
		s.ConnState(c, st)
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}
