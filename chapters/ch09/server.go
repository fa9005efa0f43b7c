package ch09

import (
	"net"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/chapters/ch05"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close.
var ErrServerClosed = ch01.ErrServerClosed

// Server serves HTTP/1.1 with keep-alive exactly as chapter 5's Server
// does, with the same settings, and spends less doing it: the fast
// parser, pooled buffers, idle connections that hold none, idle
// timeouts kept by one sweeper instead of a deadline per request, and the
// listener options of listen_linux.go. Everything the settings say
// (timeouts, limits, hooks, SetKeepAlivesEnabled) is chapter 5's, and so
// is the loop; only how a connection gets its ch04.Conn and how it waits
// between requests are this chapter's.
type Server struct {
	// Server holds the settings, and its ConnState and OnResponse hooks
	// see every connection this Server serves.
	*ch05.Server

	loop  ch04.Acceptor
	conns conns // every connection's, with the sweeper of their idle waits
}

// New returns a Server that serves s's settings the fast way. Use the
// Server's Serve, ListenAndServe and Close, not s's: s's own serve with
// chapter 5's loop.
func New(s *ch05.Server) *Server { return &Server{Server: s} }

// listener returns the chapter 1 accept loop that hands each connection
// to ServeConn.
func (s *Server) listener() *ch01.Server { return s.loop.Get(s.Addr, s, s.Logf) }

// ListenAndServe listens on s.Addr (":http" if empty) and serves.
func (s *Server) ListenAndServe() error { return s.listener().ListenAndServe() }

// Serve accepts connections on ln and serves each in its own goroutine
// until Close, then returns ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error { return s.listener().Serve(ln) }

// Close closes the listeners and every connection, in flight or idle.
func (s *Server) Close() error {
	s.loop.Cancel()
	return s.listener().Close()
}

// ServeConn serves requests on rwc until the client or the server closes
// it: chapter 5's loop, with this chapter's connections.
func (s *Server) ServeConn(rwc net.Conn) {
	s.Server.ServeConnWith(s.loop.Context(), rwc, &s.conns)
}
