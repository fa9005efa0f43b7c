package ch05_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/internal/testkit"
)

// testTimeout bounds every wait in these tests: nothing here should take
// more than a fraction of it.
const testTimeout = 10 * time.Second

// startServer serves h with a ch05.Server on a 127.0.0.1 port, after
// configure (which may be nil) has set its fields, and returns the server
// and its address. The server is closed when the test ends.
func startServer(t *testing.T, h http.Handler, configure func(*ch05.Server)) (*ch05.Server, string) {
	t.Helper()
	ln := testkit.Listen(t)
	return serveOn(t, ln, h, configure), ln.Addr().String()
}

// serveOn serves h on ln, as startServer does.
func serveOn(t *testing.T, ln net.Listener, h http.Handler, configure func(*ch05.Server)) *ch05.Server {
	t.Helper()
	s := &ch05.Server{Handler: h, Logf: t.Logf}
	if configure != nil {
		configure(s)
	}
	testkit.Serve(t, s, ln, ch05.ErrServerClosed)
	return s
}

// client is one raw connection to a server under test: what a test
// writes is exactly what goes on the wire.
type client struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// dial connects to addr; the connection is closed when the test ends.
// Each of the client's reads and writes sets its own deadline, testTimeout
// ahead: a test may keep the connection idle on purpose.
func dial(t *testing.T, addr string) *client {
	t.Helper()
	c := testkit.Dial(t, addr, 0)
	return &client{t: t, c: c, br: bufio.NewReader(c)}
}

// send writes raw bytes.
func (c *client) send(raw string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c.c, raw); err != nil {
		c.t.Fatalf("writing %q: %v", raw, err)
	}
}

// response reads one response to a request with the given method and
// returns it with its body read.
func (c *client) response(method string) (*http.Response, string) {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(testTimeout))
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading a response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading a %d response's body: %v", resp.StatusCode, err)
	}
	return resp, string(body)
}

// roundTrip sends raw and reads the response to it.
func (c *client) roundTrip(raw string) (*http.Response, string) {
	c.t.Helper()
	c.send(raw)
	method, _, _ := strings.Cut(raw, " ")
	return c.response(method)
}

// expectClosed checks that the server closes the connection without
// sending anything more, within testTimeout, a bound only a broken server
// reaches; it returns how long that took, for a log line, not a verdict.
func (c *client) expectClosed() time.Duration {
	c.t.Helper()
	start := time.Now()
	c.c.SetReadDeadline(start.Add(testTimeout))
	extra, err := io.ReadAll(c.br)
	elapsed := time.Since(start)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("the connection is still open after %v", testTimeout)
	}
	if len(extra) > 0 {
		c.t.Fatalf("the server sent %q before closing, want nothing more", extra)
	}
	return elapsed
}

// expectOpen checks that the connection still serves: GET / on it gets
// 200.
func (c *client) expectOpen() {
	c.t.Helper()
	resp, body := c.roundTrip("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 200 || body != "Hello, World!" {
		c.t.Fatalf("GET / on the kept connection = %d %q, want 200 \"Hello, World!\"", resp.StatusCode, body)
	}
}

// stateRecorder records the ConnState transitions of every connection.
type stateRecorder struct {
	mu     sync.Mutex
	states map[net.Conn][]http.ConnState
	order  []net.Conn
	closed chan net.Conn // receives each connection on StateClosed or StateHijacked
}

func newStateRecorder() *stateRecorder {
	return &stateRecorder{states: map[net.Conn][]http.ConnState{}, closed: make(chan net.Conn, 16)}
}

func (r *stateRecorder) hook(c net.Conn, st http.ConnState) {
	r.mu.Lock()
	if _, ok := r.states[c]; !ok {
		r.order = append(r.order, c)
	}
	r.states[c] = append(r.states[c], st)
	r.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		r.closed <- c
	}
}

// waitEnd waits for a connection's terminal state and returns its
// transitions.
func (r *stateRecorder) waitEnd(t *testing.T) []http.ConnState {
	t.Helper()
	select {
	case c := <-r.closed:
		r.mu.Lock()
		defer r.mu.Unlock()
		return append([]http.ConnState(nil), r.states[c]...)
	case <-time.After(testTimeout):
		t.Fatalf("no connection ended within %v", testTimeout)
		return nil
	}
}

// connections returns how many connections the server saw.
func (r *stateRecorder) connections() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}
