package ch09

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/internal/testkit"
)

// busyServer serves the demo app with idle timeout idle, and returns the
// server (to read its count of parks) and a connection to it.
func busyServer(t *testing.T, idle time.Duration) (*Server, net.Conn, *bufio.Reader) {
	t.Helper()
	s := New(&ch05.Server{Handler: demo.New(), Logf: t.Logf, IdleTimeout: idle})
	ln := testkit.Listen(t)
	testkit.Serve(t, s, ln, ErrServerClosed)
	c := testkit.Dial(t, ln.Addr().String(), 0)
	return s, c, bufio.NewReader(c)
}

// get sends GET / on c and reads the whole response, within 10 s.
func get(t *testing.T, c net.Conn, br *bufio.Reader, which string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatalf("%s: writing the request: %v", which, err)
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("%s: reading the response: %v", which, err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: status %d, body error %v; want 200", which, resp.StatusCode, err)
	}
}

// TestBusyConnectionKeepsItsBuffers: requests that come one after the
// other do not park the connection's buffers between them: only the
// first idle wait parks (it has no history), and the waits after it,
// short, hold their buffers. A sweep (one a second here) may land in one
// of them and park it too.
func TestBusyConnectionKeepsItsBuffers(t *testing.T) {
	s, c, br := busyServer(t, 8*time.Second)
	for i := range 20 {
		get(t, c, br, fmt.Sprintf("request %d", i+1))
	}
	if n := s.conns.parks.Load(); n < 1 || n > 3 {
		t.Fatalf("%d idle waits parked for 20 requests in a row, want 1 (the first) or, if sweeps came, 2 or 3", n)
	}
}

// TestQuietConnectionParksAfterASweep: a busy connection that goes quiet
// is woken by the next sweep and parks its buffers; the wake-up does not
// end the connection, whose next request is served.
func TestQuietConnectionParksAfterASweep(t *testing.T) {
	const idle = 2 * time.Second // a sweep every 250 ms
	s, c, br := busyServer(t, idle)
	for i := range 3 {
		get(t, c, br, fmt.Sprintf("busy request %d", i+1))
	}
	before := s.conns.parks.Load()
	deadline := time.Now().Add(idle)
	for s.conns.parks.Load() == before {
		if time.Now().After(deadline) {
			t.Fatalf("the quiet connection did not park within the idle timeout (%d parks)", before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	get(t, c, br, "the request after the park")
}

// TestWakeUpsRaceWithRequests: requests at random gaps around the sweep
// interval, so that sweeps wake waits as requests arrive; every request
// is answered on the one connection, whether its wait held its buffers,
// was woken, parked, or all three.
func TestWakeUpsRaceWithRequests(t *testing.T) {
	const idle = 200 * time.Millisecond // a sweep every 25 ms
	s, c, br := busyServer(t, idle)
	for i := range 100 {
		get(t, c, br, fmt.Sprintf("request %d", i+1))
		time.Sleep(time.Duration(rand.Int64N(int64(30 * time.Millisecond))))
	}
	if n := s.conns.parks.Load(); n < 2 {
		t.Errorf("%d parks over 100 requests at gaps up to 30 ms, with a sweep every 25 ms: the sweeps woke no wait", n)
	}
}
