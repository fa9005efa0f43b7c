package ch07

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch05"
)

// Shutdown polling bounds: Shutdown checks for connections left every
// pollMin at first, doubling up to pollMax, as net/http does; most
// shutdowns finish within the first few checks.
const (
	pollMin = time.Millisecond
	pollMax = 500 * time.Millisecond
)

// IdleGrace is how long a connection must have been idle before Shutdown
// closes it. Closing an idle keep-alive connection races with a client
// sending its next request on it at that very moment; that client sees a
// reset and must retry (RFC 9112 section 9.3.1 lets it, for idempotent
// requests). A connection busy with back-to-back requests is idle only
// for the instants between them: left alone for IdleGrace, its next
// request is served with "Connection: close" (keep-alive is off by then)
// and the connection ends cleanly. Only connections quiet for longer, far
// less likely to be written to right now, are closed.
const IdleGrace = 100 * time.Millisecond

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = ch01.ErrServerClosed

// Server is a chapter 5 server that can shut down gracefully.
type Server struct {
	// Server holds the settings: the ConnState hook is how Shutdown sees
	// each connection's state, and SetKeepAlivesEnabled turns keep-alive
	// off for the responses in flight.
	*ch05.Server

	inner Inner // what serves the settings: the ch05.Server itself, unless Wrap says otherwise

	mu          sync.Mutex
	conns       map[net.Conn]connInfo
	listeners   map[net.Listener]struct{}
	serving     sync.WaitGroup // the Serve loops still running
	inShutdown  atomic.Bool
	userHook    func(net.Conn, http.ConnState)
	hookInstall sync.Once
}

// connInfo is what Server knows of a connection.
type connInfo struct {
	state http.ConnState
	since time.Time // when it went idle; zero in other states
}

// New returns a Server wrapping s. It takes over s.ConnState, calling the
// hook s had after its own bookkeeping; do not change s.ConnState after.
func New(s *ch05.Server) *Server { return Wrap(s, s) }

// Inner is a server that serves a ch05.Server's settings with chapter
// 5's loop: the *ch05.Server itself, or one that serves them another way
// but still through its hooks.
type Inner interface {
	Serve(ln net.Listener) error
	Close() error
}

// Wrap is New for settings served by inner, which must report every
// connection's state through settings.ConnState, as ch05.Server does.
func Wrap(settings *ch05.Server, inner Inner) *Server {
	return &Server{Server: settings, inner: inner}
}

// install takes over the settings' ConnState hook, once, on first use.
func (s *Server) install() {
	s.hookInstall.Do(func() {
		s.userHook = s.Server.ConnState
		s.Server.ConnState = s.track
	})
}

// track records each connection's state; it is the ch05.Server's
// ConnState hook.
func (s *Server) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.setStateLocked(c, state)
	}
	s.mu.Unlock()
	if s.userHook != nil {
		s.userHook(c, state)
	}
}

func (s *Server) setStateLocked(c net.Conn, state http.ConnState) {
	if s.conns == nil {
		s.conns = map[net.Conn]connInfo{}
	}
	info := connInfo{state: state}
	if state == http.StateIdle {
		info.since = time.Now() // the only age closeIdleConns asks: spare the clock otherwise
	}
	s.conns[c] = info
}

// trackingListener records each connection as new the moment it is
// accepted, before the goroutine that serves it has started and said so
// itself: a Shutdown that looked in between would otherwise miss it,
// return, and let the process exit with a request unanswered.
type trackingListener struct {
	net.Listener
	s *Server
}

func (l trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.setStateLocked(c, http.StateNew)
		l.s.mu.Unlock()
	}
	return c, err
}

// Serve serves ln like ch05.Server.Serve, and returns ErrServerClosed once
// Shutdown or Close has been called.
func (s *Server) Serve(ln net.Listener) error {
	s.install()
	s.mu.Lock()
	if s.inShutdown.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
	}
	s.listeners[ln] = struct{}{}
	s.serving.Add(1)
	s.mu.Unlock()
	err := s.inner.Serve(trackingListener{ln, s})
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
	s.serving.Done()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	return err
}

// Shutdown stops the server gracefully: it closes the listeners (new
// connections are refused), turns keep-alive off (every response from now
// on says "Connection: close"), closes the connections idle for IdleGrace,
// and waits for the active ones to finish their request and close. It returns nil when
// no connection is left (or the error closing a listener, if one failed),
// or ctx's error if ctx ends first; the connections still open are then
// left to the caller, usually for Close.
//
// A connection accepted but with no request yet (StateNew) is waited for
// too, not closed: its first request may already be on the wire. It either
// becomes active and is served, or ends at its idle or header timeout.
func (s *Server) Shutdown(ctx context.Context) error {
	s.install()
	s.Server.SetKeepAlivesEnabled(false)
	s.mu.Lock()
	s.inShutdown.Store(true)
	var lnErr error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) && lnErr == nil {
			lnErr = err
		}
	}
	s.mu.Unlock()

	// Wait for the accept loops to return: a connection the kernel handed
	// to Accept just before the close is then recorded, and waited for.
	loopsDone := make(chan struct{})
	go func() {
		s.serving.Wait()
		close(loopsDone)
	}()
	select {
	case <-loopsDone:
	case <-ctx.Done():
		return ctx.Err()
	}

	poll := pollMin
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		if s.closeIdleConns() {
			return lnErr
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			poll = min(2*poll, pollMax)
			timer.Reset(poll)
		}
	}
}

// closeIdleConns closes every connection idle for at least IdleGrace and
// reports whether no connection is left at all.
func (s *Server) closeIdleConns() (quiet bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	quiet = true
	now := time.Now()
	for c, info := range s.conns {
		if info.state == http.StateIdle && now.Sub(info.since) >= IdleGrace {
			c.Close()
			delete(s.conns, c)
			continue
		}
		quiet = false
	}
	return quiet
}

// CutWait is how long CloseWithin waits, in Run, for the handlers of
// the connections it cut. Half of WorkerExitMargin: the process still has
// the other half to flush its access log and exit before its master's
// kill.
const CutWait = WorkerExitMargin / 2

// CloseWithin is Close, waiting at most d for it. Close cuts every
// connection at once, but then waits for their goroutines, and a handler
// that heeds neither its context nor its failed writes (a loop, a call
// with no deadline) can hold one forever. A process that is stopping
// cannot wait for that: CloseWithin reports whether every goroutine had
// returned within d, and otherwise leaves Close to finish, or not, in the
// background, for the process's exit to end.
func (s *Server) CloseWithin(d time.Duration) (done bool) {
	closed := make(chan struct{})
	go func() {
		//nolint:errcheck // the caller is stopping: a failed close changes nothing
		s.Close()
		close(closed)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-closed:
		return true
	case <-t.C:
		return false
	}
}

// Close closes the listeners and every connection at once, as
// ch05.Server.Close does; in-flight requests are cut.
func (s *Server) Close() error {
	s.mu.Lock()
	s.inShutdown.Store(true)
	s.mu.Unlock()
	err := s.inner.Close()
	s.mu.Lock()
	clear(s.conns) // all closed now, including any accepted but never served
	s.mu.Unlock()
	return err
}
