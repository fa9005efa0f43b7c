package ch07

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
)

// DefaultGracefulTimeout is how long Run gives in-flight requests to
// finish after it is asked to stop.
const DefaultGracefulTimeout = 30 * time.Second

// WorkerExitMargin is how much longer than the graceful timeout a prefork
// master waits for its workers before it kills them. Each worker runs the
// same timeout in its own Run, from when it has handled its SIGTERM, a
// moment after the master sent it; past it, the worker still cuts what is
// left, flushes its access log and exits. A master that waited only the
// timeout would kill it in the middle of that, and its last log lines
// with it. The margin keeps the worker's deadline first; the master's
// SIGKILL stays for a worker that cannot stop.
const WorkerExitMargin = time.Second

var (
	// ErrGracefulTimeout is returned by Run when requests were still in
	// flight when the graceful timeout passed, and were cut.
	ErrGracefulTimeout = errors.New("ch07: requests still in flight at the graceful timeout were cut")
	// ErrForced is returned by Run when a second stop request cut the
	// graceful shutdown short.
	ErrForced = errors.New("ch07: forced to stop before in-flight requests finished")
)

// Run serves ln with s until ctx is done, then shuts s down gracefully:
// it waits up to timeout (DefaultGracefulTimeout if zero) for in-flight
// requests, or until force is closed (a second Ctrl+C), and then cuts
// what is left, waiting CutWait at most for the handlers it cut. It
// returns nil after a clean shutdown, ErrGracefulTimeout or ErrForced
// when requests had to be cut, or why serving failed; s is closed
// whatever happened.
func Run(ctx context.Context, force <-chan struct{}, s *Server, ln net.Listener, timeout time.Duration, logf ch01.Logf) error {
	if timeout == 0 {
		timeout = DefaultGracefulTimeout
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served:
		// Serving ln failed before any stop request: s may serve other
		// listeners (final's --bind), which this closes too.
		if !s.CloseWithin(CutWait) {
			logf("ch07: handlers still running %v after their connections were cut: stopping without them", CutWait)
		}
		return fmt.Errorf("ch07: serve: %w", err)
	case <-ctx.Done():
	}

	if isClosed(force) {
		logf("ch07: stopping now: no new connections, requests in flight cut")
	} else {
		logf("ch07: shutting down: no new connections, finishing requests in flight (up to %v)", timeout)
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		select {
		case <-force:
			cancel()
		case <-sctx.Done():
		}
	}()
	err := s.Shutdown(sctx)
	forced := isClosed(force)
	if err != nil && !s.CloseWithin(CutWait) {
		logf("ch07: handlers still running %v after their connections were cut: stopping without them", CutWait)
	}
	//nolint:errcheck // Serve returns ErrServerClosed once Shutdown or Close has run
	<-served
	switch {
	case err == nil:
		logf("ch07: shut down cleanly in %v", time.Since(start).Round(time.Millisecond))
		return nil
	case forced:
		return ErrForced
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w (after %v)", ErrGracefulTimeout, timeout)
	default:
		return fmt.Errorf("ch07: shutdown: %w", err)
	}
}

// isClosed reports whether ch is closed, without blocking.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// StopSignals returns a context cancelled by the first SIGINT (Ctrl+C) or
// SIGTERM and a channel closed by the second one: the graceful stop and
// the forced one that Run takes. Call stop to release the signals.
func StopSignals(parent context.Context) (ctx context.Context, force <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	forced := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 0; n < 2; n++ {
			select {
			case <-sigs:
			case <-done:
				return
			}
			if n == 0 {
				cancel()
			} else {
				close(forced)
			}
		}
	}()
	var once sync.Once
	return ctx, forced, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}
