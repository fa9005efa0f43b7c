// Package testkit holds the few helpers that the chapters' tests share:
// a recorder for a server's log lines, a loopback listener and a server
// run on it for the length of a test, a dialer whose connection cannot
// hang a test, a wait for a server to refuse connections, and a
// hello-request dialer and loop for the benchmarks. Only tests import it.
//
// Every wait here is bounded by WaitBound, a bound only a broken server
// reaches: none asserts how fast anything is.
package testkit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// WaitBound bounds every wait of the helpers (a dial, a deadline, a
// server's return): something that should happen at once has failed if
// it has not happened by then, however loaded the machine. It is a guard
// against hanging, never a readiness delay.
const WaitBound = 10 * time.Second

// LogRecorder collects log lines; its Logf is safe for the goroutines of
// a server.
type LogRecorder struct {
	mu    sync.Mutex
	lines []string
}

// Logf records one line, formatted as fmt.Sprintf does.
func (l *LogRecorder) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// Write records p as one line, without its final newline: a log.Logger
// writing to a LogRecorder records each of its lines.
func (l *LogRecorder) Write(p []byte) (int, error) {
	l.Logf("%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// Lines returns a copy of every line recorded so far.
func (l *LogRecorder) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Matching returns the lines that contain sub.
func (l *LogRecorder) Matching(sub string) []string {
	var out []string
	for _, line := range l.Lines() {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return out
}

// WaitOneLine waits, within WaitBound, until a line containing sub has
// been recorded (a server may log just after its client sees the
// connection close), and checks it is one short line: a log line a
// person reads, not a dump.
func (l *LogRecorder) WaitOneLine(tb testing.TB, sub string) {
	tb.Helper()
	deadline := time.Now().Add(WaitBound)
	for {
		if lines := l.Matching(sub); len(lines) > 0 {
			if len(lines) > 1 || strings.Contains(lines[0], "\n") || len(lines[0]) > 200 {
				tb.Errorf("log lines about it: %q, want one short line", lines)
			}
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no log line containing %q within %v; log: %q", sub, WaitBound, l.Lines())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// DialHello connects to addr, sends request (a GET of the demo's "/",
// which answers "Hello, World!"), checks the answer keeps the connection,
// and returns the connection, closed at the end of the test, and the
// exact length of the response: constant, since the Date field always has
// the same length, so a benchmark can read the next ones with
// io.ReadFull and allocate nothing itself.
func DialHello(tb testing.TB, addr, request string) (net.Conn, int) {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, WaitBound)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, request); err != nil {
		tb.Fatal(err)
	}
	// Through a reader that keeps whatever it reads, to learn the length.
	var raw bytes.Buffer
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(c, &raw)), nil)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "Hello, World!" || resp.Close {
		tb.Fatalf("the server answered %d %q (close %v)", resp.StatusCode, body, resp.Close)
	}
	return c, raw.Len()
}

// PingPong is a keep-alive benchmark's loop: b.N times, it writes
// request on c and reads the response, exactly n bytes (see DialHello),
// before the next. It reports allocations and requests per second, and
// returns the last response for the caller to check. The loop allocates
// nothing, so allocs/op is the server's.
func PingPong(b *testing.B, c net.Conn, request string, n int) []byte {
	b.Helper()
	req := []byte(request)
	buf := make([]byte, n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	return buf
}

// Server is what Serve runs: any chapter's server.
type Server interface {
	Serve(net.Listener) error
	Close() error
}

// Listen returns a TCP listener on a free port of 127.0.0.1, closed when
// the test ends if nothing closed it before.
func Listen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	return ln
}

// Dial connects to addr over TCP, within WaitBound, and closes the
// connection when the test ends. If deadline is not zero, every read and
// write on the connection fails once that long has passed, so a server
// that forgets to answer or to close fails the test instead of hanging
// it; a test that waits on purpose sets its own deadlines instead.
func Dial(tb testing.TB, addr string, deadline time.Duration) net.Conn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, WaitBound)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if deadline > 0 {
		c.SetDeadline(time.Now().Add(deadline))
	}
	return c
}

// WaitFor polls cond every 10 ms until it holds, and fails the test,
// naming what it waited for, if it still does not after WaitBound.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(WaitBound); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	tb.Fatalf("timed out waiting for %s", what)
}

// WaitClosed waits until ln has been closed (by the server under test),
// polling, and fails the test if it is still open after WaitBound. A
// closed listener refuses new connections. It asks the listener, not the
// port: once a listener closes, another process on the machine may bind
// the same port at once, and a dial would reach that one.
func WaitClosed(tb testing.TB, ln net.Listener) {
	tb.Helper()
	sc, ok := ln.(syscall.Conn)
	if !ok {
		tb.Fatalf("WaitClosed: a %T has no descriptor to look at", ln)
	}
	for deadline := time.Now().Add(WaitBound); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		rc, err := sc.SyscallConn()
		if err != nil || rc.Control(func(uintptr) {}) != nil {
			return // the descriptor is closed
		}
	}
	tb.Fatalf("%s is still open after %v", ln.Addr(), WaitBound)
}

// Serving is a server that Serve runs.
type Serving struct {
	done chan struct{} // closed when Serve has returned
	err  error         // what it returned, valid after done
}

// Wait waits until Serve has returned and returns its error; it fails the
// test if that takes more than WaitBound.
func (s *Serving) Wait(tb testing.TB) error {
	tb.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(WaitBound):
		tb.Fatalf("Serve has not returned after %v", WaitBound)
		return nil
	}
}

// Serve runs s on ln in a goroutine until the test ends; then it closes s
// and checks that Close succeeded and Serve returned closed, the chapter's
// ErrServerClosed. A test that stops the server itself learns what Serve
// returned from the Serving's Wait.
func Serve(tb testing.TB, s Server, ln net.Listener, closed error) *Serving {
	tb.Helper()
	sv := &Serving{done: make(chan struct{})}
	go func() {
		sv.err = s.Serve(ln)
		close(sv.done)
	}()
	tb.Cleanup(func() {
		// The test may have closed the listener itself already.
		if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("Close() = %v", err)
		}
		if err := sv.Wait(tb); !errors.Is(err, closed) {
			tb.Errorf("Serve() = %v, want %v", err, closed)
		}
	})
	return sv
}

// pipeConn is one end of net.Pipe with TCP addresses: a server reading
// from it sees a client at 192.0.2.1:1234 reaching it at 192.0.2.2:80.
type pipeConn struct{ net.Conn }

func (pipeConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234} }
func (pipeConn) LocalAddr() net.Addr  { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 80} }

// Pipe returns the two ends of an in-memory connection (net.Pipe), the
// server's with TCP-like addresses, both closed when the test ends.
func Pipe(tb testing.TB) (server, client net.Conn) {
	s, c := net.Pipe()
	tb.Cleanup(func() { c.Close(); s.Close() })
	return pipeConn{s}, c
}

// TCPPair returns the two ends of a loopback TCP connection, the one a
// listener accepted first, both closed when the test ends: for code that
// needs an operating system socket (deadlines, a syscall.RawConn), where
// Pipe's in-memory connection will not do.
func TCPPair(tb testing.TB) (server, client net.Conn) {
	tb.Helper()
	ln := Listen(tb)
	defer ln.Close()
	client = Dial(tb, ln.Addr().String(), 0)
	server, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { server.Close() })
	return server, client
}
