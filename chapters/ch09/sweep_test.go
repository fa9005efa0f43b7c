package ch09

import (
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 10 * time.Second

// blockedRead starts a read on c that blocks until the sweeper (or the
// test's bound) ends it, and returns a channel that receives its error
// and how long it waited.
func blockedRead(t *testing.T, c net.Conn) <-chan readResult {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
		t.Fatal(err)
	}
	done := make(chan readResult, 1)
	start := time.Now()
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- readResult{err: err, waited: time.Since(start)}
	}()
	return done
}

type readResult struct {
	err    error
	waited time.Duration
}

// TestSweeperEndsOnlyWaitsThatLast: a wait that outlasts its timeout is
// ended with a deadline in the past, never before the timeout has passed;
// a connection that waits again and again, each wait shorter than the
// timeout, is never ended, however long it lives.
func TestSweeperEndsOnlyWaitsThatLast(t *testing.T) {
	var s sweeper
	const timeout = 80 * time.Millisecond

	idleConn, idlePeer := net.Pipe()
	defer idleConn.Close()
	defer idlePeer.Close()
	idle := newWaiter(idleConn)
	read := blockedRead(t, idleConn)
	began := time.Now()
	s.begin(idle, timeout)

	busyConn, busyPeer := net.Pipe()
	defer busyConn.Close()
	defer busyPeer.Close()
	busy := newWaiter(busyConn)
	for range 4 * timeout / (10 * time.Millisecond) { // four timeouts of short waits
		began := time.Now()
		s.begin(busy, timeout)
		time.Sleep(10 * time.Millisecond)
		if s.end(busy) && time.Since(began) < timeout {
			t.Fatalf("a wait of %v ended by the sweeper, with a timeout of %v", time.Since(began), timeout)
		}
	}

	r := <-read
	if !errors.Is(r.err, os.ErrDeadlineExceeded) {
		t.Fatalf("the idle read ended with %v, want os.ErrDeadlineExceeded from the sweeper", r.err)
	}
	if !s.end(idle) {
		t.Error("end after the sweep: timedOut false, want true")
	}
	if since := time.Since(began); since < timeout {
		t.Errorf("the idle wait was ended after %v, before its timeout of %v", since, timeout)
	}
}

// TestSweeperStopsWhenNobodyWaits: the sweeping goroutine runs only while
// some connection is in the sweeper's set; once every connection is
// closed, a sweep drops them and the goroutine ends. A new wait starts it
// again.
func TestSweeperStopsWhenNobodyWaits(t *testing.T) {
	var s sweeper
	running := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.running
	}
	stopped := func() {
		t.Helper()
		for deadline := time.Now().Add(testTimeout); running(); {
			if time.Now().After(deadline) {
				t.Fatal("the sweeper still runs with no connection left")
			}
			time.Sleep(time.Millisecond)
		}
	}

	var wg sync.WaitGroup
	for range 3 {
		c, peer := net.Pipe()
		defer c.Close()
		defer peer.Close()
		w := newWaiter(c)
		wg.Go(func() {
			s.begin(w, 800*time.Millisecond) // sweeps 100 ms apart: still running after wg.Wait
			s.end(w)
			s.forget(w)
		})
	}
	wg.Wait()
	if !running() {
		t.Fatal("no sweeper running after three waits")
	}
	stopped()

	c, peer := net.Pipe()
	defer c.Close()
	defer peer.Close()
	w := newWaiter(c)
	read := blockedRead(t, c)
	s.begin(w, 20*time.Millisecond)
	if r := <-read; !errors.Is(r.err, os.ErrDeadlineExceeded) {
		t.Fatalf("a wait after the sweeper stopped ended with %v, want os.ErrDeadlineExceeded", r.err)
	}
	s.end(w)
	s.forget(w)
	stopped()
}

// handSwept returns a sweeper whose sweeps the test makes by hand, with
// the given interval: it counts as running, so no goroutine sweeps.
func handSwept(interval time.Duration) *sweeper {
	s := new(sweeper)
	s.interval.Store(int64(interval))
	s.running = true
	return s
}

// TestSweepsCountedNeverEndAWaitEarly: with sweeps an interval apart, a
// wait of eight intervals begun just before a sweep lives through eight
// more sweeps and is ended by the ninth: the sweep that begins it may come
// an instant after it began, so it cannot count.
func TestSweepsCountedNeverEndAWaitEarly(t *testing.T) {
	const interval = time.Second
	s := handSwept(interval)
	c, peer := net.Pipe()
	defer c.Close()
	defer peer.Close()
	w := newWaiter(c)
	s.begin(w, 8*interval)
	for i := 1; i <= 8; i++ {
		s.sweep()
		if w.until.Load() == expired {
			t.Fatalf("a wait of 8 intervals ended by sweep %d after it began", i)
		}
	}
	s.sweep()
	if !s.end(w) {
		t.Fatal("a wait of 8 intervals survived 9 sweeps")
	}
}

// TestSweptOutWaiterComesBack: a connection busy during a sweep leaves
// the set; its next idle wait puts it back, and is ended in its turn.
func TestSweptOutWaiterComesBack(t *testing.T) {
	s := handSwept(time.Second)
	c, peer := net.Pipe()
	defer c.Close()
	defer peer.Close()
	w := newWaiter(c)
	inSet := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.waiters[w]
		return ok
	}

	s.begin(w, time.Second)
	s.end(w) // busy now
	s.sweep()
	if inSet() {
		t.Fatal("a connection busy during a sweep is still in the set")
	}
	s.begin(w, time.Second)
	if !inSet() {
		t.Fatal("an idle wait after a sweep did not put its connection back in the set")
	}
	for range 2 {
		s.sweep()
	}
	if !s.end(w) {
		t.Fatal("the wait of a connection put back in the set was never ended")
	}
	s.end(w) // no wait begun: nothing happens
	s.forget(w)
	s.sweep()
	if inSet() {
		t.Fatal("a closed connection is still in the set after a sweep")
	}
}

// BenchmarkIdleTimeoutPerRequest: what keeping the idle timeout costs per
// kept-alive request on a TCP connection. Chapter 5's way sets a read
// deadline before the wait and clears it before the handler; the
// sweeper's clears a deadline already clear before the wait, begins and
// ends the wait, and clears again before the handler. "clock" is one
// time.Now, for scale.
func BenchmarkIdleTimeoutPerRequest(b *testing.B) {
	c, _ := testkit.TCPPair(b)

	b.Run("deadline", func(b *testing.B) {
		for b.Loop() {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			c.SetReadDeadline(time.Time{})
		}
	})
	b.Run("sweeper", func(b *testing.B) {
		var s sweeper
		w := newWaiter(c)
		for b.Loop() {
			c.SetReadDeadline(time.Time{})
			s.begin(w, 5*time.Second)
			s.end(w)
			c.SetReadDeadline(time.Time{})
		}
		s.forget(w)
	})
	b.Run("clock", func(b *testing.B) {
		for b.Loop() {
			_ = time.Now()
		}
	})
}
