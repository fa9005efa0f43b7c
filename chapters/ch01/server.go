package ch01

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close.
var ErrServerClosed = errors.New("ch01: server closed")

// Logf is the logging seam every chapter uses: a printf-style function.
// A nil Logf discards the message.
type Logf func(format string, args ...any)

// ConnHandler serves one accepted connection. ServeConn owns the connection
// and must close it before it returns.
type ConnHandler interface {
	ServeConn(c net.Conn)
}

// ConnHandlerFunc adapts an ordinary function to ConnHandler.
type ConnHandlerFunc func(c net.Conn)

// ServeConn calls f(c).
func (f ConnHandlerFunc) ServeConn(c net.Conn) { f(c) }

// Accept backoff bounds: after a temporary accept error the loop sleeps
// minAcceptDelay, doubling on each further error up to maxAcceptDelay.
const (
	minAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay = 1 * time.Second
)

// Server accepts TCP connections and serves each one in its own goroutine.
// The zero value is an echo server; set Handler to serve something else.
type Server struct {
	// Addr is the TCP address to listen on, "host:port". If empty, ":8080".
	Addr string
	// Handler serves each connection. If nil, Echo is used.
	Handler ConnHandler
	// Logf reports accept errors. If nil, nothing is logged.
	Logf Logf

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	closed    bool
	wg        sync.WaitGroup // connection goroutines
}

// ListenAndServe listens on s.Addr and calls Serve. It always returns a
// non-nil error: ErrServerClosed after Close, or why listening failed.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ch01: listen: %w", err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Close is called or ln fails for
// good, and hands each connection to the Handler in a new goroutine. Serve
// closes ln before it returns. It returns ErrServerClosed after Close.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.untrackListener(ln)

	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				// Out of file descriptors, or a connection reset before we
				// accepted it: wait and try again rather than spin.
				delay = nextDelay(delay)
				s.logf("ch01: accept error: %v; retrying in %v", err, delay)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("ch01: accept: %w", err)
		}
		delay = 0
		if !s.trackConn(c) {
			c.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.wg.Done() // trackConn added it
			defer s.untrackConn(c)
			s.handler().ServeConn(c)
		}()
	}
}

// Close stops every Serve loop, closes all open connections and waits for
// their goroutines to return. It is not graceful: in-flight work is cut.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	for ln := range s.listeners {
		if cerr := ln.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) handler() ConnHandler {
	if s.Handler == nil {
		return ConnHandlerFunc(Echo)
	}
	return s.Handler
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) trackListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrackListener(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
	ln.Close()
}

func (s *Server) trackConn(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[net.Conn]struct{})
	}
	s.conns[c] = struct{}{}
	// Counted under the lock that Close takes to set closed: a Close
	// either refused this connection or will wait for its goroutine.
	s.wg.Add(1)
	return true
}

func (s *Server) untrackConn(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// nextDelay doubles the accept backoff, starting at minAcceptDelay and
// capped at maxAcceptDelay.
func nextDelay(d time.Duration) time.Duration {
	if d == 0 {
		return minAcceptDelay
	}
	return min(2*d, maxAcceptDelay)
}
