package ch09

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// An idle timeout without a timer per request.
//
// Chapter 5 bounds every wait between two requests with a read deadline,
// set after each response: a clock read and a timer moved in the
// runtime's poller, for every request, to guard against the rare client
// that never sends another. A sweeper does the same job for all the
// connections of a server with one goroutine that wakes a few times per
// timeout: a connection that starts an idle wait notes the sweep it must
// not outlive (a few atomic operations, no clock), and the sweep that
// reaches that number ends the wait by setting the connection's read
// deadline in the past. Only a connection that really times out ever
// gets a deadline.

// sweepsPerTimeout is how many sweeps an idle timeout spans. A wait ends
// never before its timeout, and at most one interval after it when the
// timeout is a multiple of the interval (an eighth of it, for timeouts
// from 8 ms to 8 s), less than two otherwise; plus however late the
// sweeping goroutine runs.
const sweepsPerTimeout = 8

// Bounds of the interval between sweeps: often enough that a long
// timeout is kept within a second or two, seldom enough that a tiny one
// does not make the sweeper spin.
const (
	maxSweepInterval = time.Second
	minSweepInterval = time.Millisecond
)

// The states of a waiter's until, besides a sweep number (> 0): the wait
// it ends.
const (
	notWaiting = 0  // in the sweeper's set, between two waits
	unswept    = -1 // not in the set: the next wait puts it back
	expired    = -2 // a sweep ended the wait
)

// aLongTimeAgo is a deadline in the past: setting it makes a blocked
// read return at once with os.ErrDeadlineExceeded.
var aLongTimeAgo = time.Unix(1, 0)

// sweeper ends the idle waits that outlast their timeout. The zero value
// is ready to use; its goroutine runs only while some connection is in
// its set.
type sweeper struct {
	sweeps   atomic.Int64 // sweeps done so far
	interval atomic.Int64 // between sweeps, in nanoseconds: set by the first wait

	mu      sync.Mutex
	waiters map[*waiter]struct{}
	running bool // the sweeping goroutine is running
}

// waiter is one connection as the sweeper knows it.
type waiter struct {
	rwc net.Conn
	// until is the number of the sweep that ends the current wait, or
	// one of notWaiting, unswept and expired.
	until atomic.Int64
}

// newWaiter returns the waiter of rwc; it is in no set until its first
// wait.
func newWaiter(rwc net.Conn) *waiter {
	w := &waiter{rwc: rwc}
	w.until.Store(unswept)
	return w
}

// begin starts an idle wait of w that must end once timeout has passed.
// The wait started before sweep number sweeps+1, and sweeps are at least
// an interval apart, so sweep number sweeps+1+n comes at least n
// intervals after the start: n = ceil(timeout/interval) is enough.
func (s *sweeper) begin(w *waiter, timeout time.Duration) {
	if timeout <= 0 {
		return // no timeout: nothing to keep (and n must not go negative)
	}
	interval := s.intervalFor(timeout)
	n := int64((timeout + interval - 1) / interval)
	if w.until.Swap(s.sweeps.Load()+1+n) == unswept {
		s.add(w)
	}
}

// end ends w's idle wait and reports whether a sweep ended it first, in
// which case its connection has (or is about to have) a read deadline in
// the past, and must be closed as timed out. Without a wait begun it does
// nothing.
func (s *sweeper) end(w *waiter) (timedOut bool) {
	return w.settle() == expired
}

// forget takes w out of the sweeper's hands for good: its connection is
// closed. The next sweep drops it from the set.
func (s *sweeper) forget(w *waiter) { w.settle() }

// settle moves w from a wait (begun, or ended by a sweep) to notWaiting,
// and returns the state it left; a waiter with no wait begun is left as
// it is, so that one out of the set is never taken for one in it.
func (w *waiter) settle() int64 {
	for {
		until := w.until.Load()
		if until == notWaiting || until == unswept {
			return until
		}
		if w.until.CompareAndSwap(until, notWaiting) {
			return until
		}
	}
}

// intervalFor returns the interval between sweeps, setting it from the
// first timeout the sweeper is asked to keep: one server has one idle
// timeout.
func (s *sweeper) intervalFor(timeout time.Duration) time.Duration {
	if d := s.interval.Load(); d != 0 {
		return time.Duration(d)
	}
	d := min(max(timeout/sweepsPerTimeout, minSweepInterval), maxSweepInterval)
	s.interval.CompareAndSwap(0, int64(d)) // the first wait's wins
	return time.Duration(s.interval.Load())
}

// add puts w in the set, and starts the sweeping goroutine if it is not
// running.
func (s *sweeper) add(w *waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiters == nil {
		s.waiters = make(map[*waiter]struct{})
	}
	s.waiters[w] = struct{}{}
	if !s.running {
		s.running = true
		go s.run(time.Duration(s.interval.Load()))
	}
}

// run sweeps every interval until the set is empty. A timer reset after
// each sweep, not a Ticker, keeps sweeps at least an interval apart even
// when the goroutine runs late, which begin's count relies on.
func (s *sweeper) run(interval time.Duration) {
	t := time.NewTimer(interval)
	defer t.Stop()
	for range t.C {
		if !s.sweep() {
			return
		}
		t.Reset(interval)
	}
}

// sweep ends every wait whose last sweep has come, drops from the set
// the waiters that are not waiting (closed, hijacked or busy: a busy one
// comes back with its next wait), and reports whether any is left.
func (s *sweeper) sweep() bool {
	now := s.sweeps.Add(1)
	var ended []net.Conn
	s.mu.Lock()
	for w := range s.waiters {
		until := w.until.Load()
		switch {
		case until == notWaiting:
			if w.until.CompareAndSwap(notWaiting, unswept) {
				delete(s.waiters, w)
			}
		case until > 0 && until <= now:
			if w.until.CompareAndSwap(until, expired) {
				ended = append(ended, w.rwc)
			}
		}
	}
	left := len(s.waiters) > 0
	if !left {
		s.running = false
	}
	s.mu.Unlock()
	for _, c := range ended {
		// Wakes the blocked read with os.ErrDeadlineExceeded. On a
		// connection closed meanwhile it fails, which is as good.
		c.SetReadDeadline(aLongTimeAgo)
	}
	return left
}
