// Package testkit holds the few helpers that the chapters' tests share:
// a recorder for a server's log lines, a server run for the length of a
// test, and a hello-request dialer and loop for the benchmarks. Only
// tests import it.
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
	"testing"
	"time"
)

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

// DialHello connects to addr, sends request (a GET of the demo's "/",
// which answers "Hello, World!"), checks the answer keeps the connection,
// and returns the connection, closed at the end of the test, and the
// exact length of the response: constant, since the Date field always has
// the same length, so a benchmark can read the next ones with
// io.ReadFull and allocate nothing itself.
func DialHello(tb testing.TB, addr, request string) (net.Conn, int) {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
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

// Serve runs s on ln in a goroutine until the test ends; then it closes s
// and checks that Close succeeded and Serve returned closed, the chapter's
// ErrServerClosed.
func Serve(tb testing.TB, s Server, ln net.Listener, closed error) {
	tb.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	tb.Cleanup(func() {
		// The test may have closed the listener itself already.
		if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("Close() = %v", err)
		}
		if err := <-done; !errors.Is(err, closed) {
			tb.Errorf("Serve() = %v, want %v", err, closed)
		}
	})
}
