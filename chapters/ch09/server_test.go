package ch09_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch09"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/internal/testkit"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 10 * time.Second

// start serves the demo app with a ch09.Server on a 127.0.0.1 port,
// after configure (which may be nil) has set chapter 5's settings, and
// returns its address. The server is closed when the test ends.
func start(t *testing.T, configure func(*ch05.Server)) string {
	t.Helper()
	settings := &ch05.Server{Handler: demo.New(), Logf: t.Logf}
	if configure != nil {
		configure(settings)
	}
	ln := testkit.Listen(t)
	testkit.Serve(t, ch09.New(settings), ln, ch09.ErrServerClosed)
	return ln.Addr().String()
}

// idleClient is a raw connection whose reads wait for whole responses.
type idleClient struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *idleClient {
	c := testkit.Dial(t, addr, 0)
	return &idleClient{t: t, c: c, br: bufio.NewReader(c)}
}

func (c *idleClient) send(raw string) {
	c.t.Helper()
	if err := c.c.SetWriteDeadline(time.Now().Add(testTimeout)); err != nil {
		c.t.Fatal(err)
	}
	if _, err := io.WriteString(c.c, raw); err != nil {
		c.t.Fatalf("writing %q: %v", raw, err)
	}
}

// response reads one response to a request of method, and its body.
func (c *idleClient) response(method string) (*http.Response, string) {
	c.t.Helper()
	if err := c.c.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading the response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading the body: %v", err)
	}
	return resp, string(body)
}

// idleStates returns a ConnState hook and a channel that receives a
// value each time a connection goes idle.
func idleStates() (func(net.Conn, http.ConnState), <-chan struct{}) {
	idle := make(chan struct{}, 64)
	return func(_ net.Conn, st http.ConnState) {
		if st == http.StateIdle {
			idle <- struct{}{}
		}
	}, idle
}

// waitIdle waits until the server has reported the connection idle: the
// next bytes find it waiting for a request, parked or about to park.
func waitIdle(t *testing.T, idle <-chan struct{}) {
	t.Helper()
	select {
	case <-idle:
	case <-time.After(testTimeout):
		t.Fatal("the connection never went idle")
	}
}

// TestRequestsAfterIdleWait: the bytes a parked connection reads while
// it waits for its next request (idleReader) reach the parser whole and
// in order, whatever their size: a head in pieces, a head larger than the
// 4 KiB the wait reads into, a body behind it, several requests in one
// write; and the connection goes on serving.
func TestRequestsAfterIdleWait(t *testing.T) {
	hook, idle := idleStates()
	c := dial(t, start(t, func(s *ch05.Server) { s.ConnState = hook }))
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "Hello, World!" {
		t.Fatalf("first request: %d %q", resp.StatusCode, body)
	}

	waitIdle(t, idle)
	c.send("PO")
	c.send("ST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
	if resp, body := c.response("POST"); resp.StatusCode != 200 || !strings.Contains(body, `"body":"hello"`) {
		t.Fatalf("head in two pieces: %d %q, want 200 echoing \"hello\"", resp.StatusCode, body)
	}

	waitIdle(t, idle)
	big := strings.Repeat("b", 6000)
	c.send("POST /echo HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\nContent-Length: 5\r\n\r\nworld")
	if resp, body := c.response("POST"); resp.StatusCode != 200 || !strings.Contains(body, `"body":"world"`) || !strings.Contains(body, big) {
		t.Fatalf("6 KB head: %d, body of %d bytes, want 200 echoing the field and \"world\"", resp.StatusCode, len(body))
	}

	waitIdle(t, idle)
	c.send(strings.Repeat("GET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n", 20) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	for i := range 20 {
		if resp, _ := c.response("GET"); resp.StatusCode != 204 {
			t.Fatalf("pipelined request %d: status %d, want 204", i+1, resp.StatusCode)
		}
	}
	if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "Hello, World!" {
		t.Fatalf("last pipelined request: %d %q", resp.StatusCode, body)
	}
}

// TestIdleTimeout: a connection parked without buffers is still closed
// by the idle timeout, and one that never sends a request by the header
// timeout.
func TestIdleTimeout(t *testing.T) {
	addr := start(t, func(s *ch05.Server) {
		s.IdleTimeout = 100 * time.Millisecond
		s.ReadHeaderTimeout = 200 * time.Millisecond
	})
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, _ := c.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	for _, conn := range []*idleClient{c, dial(t, addr)} {
		if err := conn.c.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
			t.Fatal(err)
		}
		if n, err := conn.br.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("read on an idle connection: %d bytes, %v; want io.EOF once the server closes it", n, err)
		}
	}
}

// TestIdleTimeoutSetsNoDeadlinePerRequest: thirty requests one after the
// other on one connection set one read deadline, the first head's; the
// idle waits between them are kept by the sweeper. Once the client stops,
// the sweeper still closes the connection, and not before the idle
// timeout.
func TestIdleTimeoutSetsNoDeadlinePerRequest(t *testing.T) {
	const idle = 150 * time.Millisecond
	ln := &testkit.CountingListener{Listener: testkit.Listen(t)}
	s := ch09.New(&ch05.Server{Handler: demo.New(), Logf: t.Logf, IdleTimeout: idle})
	testkit.Serve(t, s, ln, ch09.ErrServerClosed)
	c := dial(t, ln.Addr().String())
	for i := range 30 {
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp, _ := c.response("GET"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, resp.StatusCode)
		}
	}
	answered := time.Now()
	if n := ln.Deadlines.Load(); n != 1 {
		t.Errorf("%d read deadlines set for 30 requests on one connection, want 1 (the first head's)", n)
	}
	if err := c.c.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.br.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read on the idle connection: %d bytes, %v; want io.EOF once the sweeper ends its wait", n, err)
	}
	// The server may begin its wait a moment before the client has read
	// the answer: allow it a tenth.
	if waited := time.Since(answered); waited < idle-idle/10 {
		t.Errorf("the idle connection was closed after %v, before the idle timeout of %v", waited, idle)
	}
}

// TestNoIdleTimeout: with IdleTimeout negative an idle connection waits
// as long as its client takes; nothing ends it.
func TestNoIdleTimeout(t *testing.T) {
	hook, idle := idleStates()
	c := dial(t, start(t, func(s *ch05.Server) {
		s.IdleTimeout = -1
		s.ConnState = hook
	}))
	for i := range 2 {
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp, _ := c.response("GET"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, resp.StatusCode)
		}
		waitIdle(t, idle)
		time.Sleep(50 * time.Millisecond) // many sweeps of the smallest interval
	}
}

// TestHandlerDeadlineEndsWithItsRequest: a read deadline a handler set
// for its own request (http.ResponseController) does not bound the idle
// wait that follows: the next request, sent after that deadline has
// passed, is served on the same connection.
func TestHandlerDeadlineEndsWithItsRequest(t *testing.T) {
	const handlerDeadline = 20 * time.Millisecond
	hook, idle := idleStates()
	addr := start(t, func(s *ch05.Server) {
		s.ConnState = hook
		s.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(handlerDeadline)); err != nil {
				t.Errorf("SetReadDeadline: %v", err)
			}
			io.WriteString(w, "ok")
		})
	})
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("first request: %d %q", resp.StatusCode, body)
	}
	waitIdle(t, idle)
	time.Sleep(5 * handlerDeadline) // the handler's deadline passes while the connection waits
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("second request: %d %q", resp.StatusCode, body)
	}
}

// TestConnStateAndHooks: chapter 5's hooks see every connection the
// chapter 9 loop serves: New, Active, Idle, Closed, and OnResponse once
// per response.
func TestConnStateAndHooks(t *testing.T) {
	states := make(chan http.ConnState, 16)
	responses := make(chan int, 4)
	addr := start(t, func(s *ch05.Server) {
		s.ConnState = func(_ net.Conn, st http.ConnState) { states <- st }
		s.OnResponse = func(_ *http.Request, status int, _ int64, _ time.Time) { responses <- status }
	})
	c := dial(t, addr)
	c.send("GET /status/418 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	if resp, _ := c.response("GET"); resp.StatusCode != 418 {
		t.Fatalf("status %d, want 418", resp.StatusCode)
	}
	want := []http.ConnState{http.StateNew, http.StateActive, http.StateClosed}
	for _, w := range want {
		select {
		case got := <-states:
			if got != w {
				t.Fatalf("ConnState %v, want %v", got, w)
			}
		case <-time.After(testTimeout):
			t.Fatalf("no ConnState %v", w)
		}
	}
	if got := <-responses; got != 418 {
		t.Fatalf("OnResponse status %d, want 418", got)
	}
}

func serveCh05(ln net.Listener) func() {
	s := &ch05.Server{Handler: demo.New()}
	go s.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at stop
	return func() { s.Close() }
}

func serveCh09(ln net.Listener) func() {
	s := ch09.New(&ch05.Server{Handler: demo.New()})
	go s.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at stop
	return func() { s.Close() }
}

func serveNetHTTP(ln net.Listener) func() {
	s := &http.Server{Handler: demo.New(), ReadHeaderTimeout: ch05.DefaultReadHeaderTimeout, IdleTimeout: ch05.DefaultIdleTimeout}
	go s.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at stop
	return func() { s.Close() }
}

// BenchmarkKeepAlive: the demo's GET / request after request on one
// loopback connection, through chapter 5, chapter 9 and net/http.
func BenchmarkKeepAlive(b *testing.B) {
	b.Run("ch05", func(b *testing.B) { testkit.BenchKeepAlive(b, serveCh05) })
	b.Run("ch09", func(b *testing.B) { testkit.BenchKeepAlive(b, serveCh09) })
	b.Run("net-http", func(b *testing.B) { testkit.BenchKeepAlive(b, serveNetHTTP) })
}

// BenchmarkPipelined: 16 pipelined GET / per write; op is one request.
func BenchmarkPipelined(b *testing.B) {
	b.Run("ch05", func(b *testing.B) { testkit.BenchPipelined(b, serveCh05) })
	b.Run("ch09", func(b *testing.B) { testkit.BenchPipelined(b, serveCh09) })
	b.Run("net-http", func(b *testing.B) { testkit.BenchPipelined(b, serveNetHTTP) })
}

// BenchmarkIdleConn: memory per idle keep-alive connection, after one
// request each, for chapter 5 (buffers kept while idle), chapter 9 (none)
// and the bare sockets as the floor.
func BenchmarkIdleConn(b *testing.B) {
	b.Run("sockets-only", func(b *testing.B) {
		h := new(testkit.HoldServer)
		testkit.BenchIdle(b, h.Serve, false, h.Release)
	})
	for _, srv := range []struct {
		name string
		new  func(*ch05.Server) testkit.Server
	}{
		{"ch05", func(s *ch05.Server) testkit.Server { return s }},
		{"ch09", func(s *ch05.Server) testkit.Server { return ch09.New(s) }},
	} {
		b.Run(srv.name, func(b *testing.B) {
			cc := testkit.NewCloseCounter()
			testkit.BenchIdle(b, func(ln net.Listener) func() {
				s := srv.new(&ch05.Server{Handler: demo.New(), ConnState: cc.Hook})
				go s.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at stop
				return func() { s.Close() }
			}, true, cc.NextRound)
		})
	}
}

// kept is what a handler saw of a request, copied deeply while it ran,
// and the request itself, kept after the handler returned.
type kept struct {
	r                                *http.Request
	method, uri, host, proto, remote string
	header                           http.Header
	body                             string
}

// TestKeptRequestsStayIntact: a handler may keep r, r.Header, r.URL and
// the strings in them after it returns (in a goroutine, a log queue, a
// cache). Chapter 9 reuses its parser's buffers, its Request and its
// connections' buffers from one request to the next; none of that may
// show through what a handler kept. Many requests, pipelined and not,
// with different targets, fields and bodies, on two connections at once:
// afterwards every kept request still says what it said while its
// handler ran.
func TestKeptRequestsStayIntact(t *testing.T) {
	var mu sync.Mutex
	var all []kept
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k := kept{r: r, method: r.Method, uri: r.URL.String(), host: r.Host, proto: r.Proto,
			remote: r.RemoteAddr, header: r.Header.Clone(), body: string(body)}
		mu.Lock()
		all = append(all, k)
		mu.Unlock()
	})
	settings := &ch05.Server{Handler: handler, Logf: t.Logf}
	ln := testkit.Listen(t)
	testkit.Serve(t, ch09.New(settings), ln, ch09.ErrServerClosed)

	var wg sync.WaitGroup
	for conn := range 2 {
		wg.Go(func() {
			c := dial(t, ln.Addr().String())
			for batch := range 10 {
				var reqs strings.Builder
				for i := range 5 {
					n := fmt.Sprintf("%d-%d-%d", conn, batch, i)
					body := strings.Repeat(n, i)
					fmt.Fprintf(&reqs, "POST /p/%s?q=%s HTTP/1.1\r\nHost: h%s\r\nX-N: %s\r\nX-Pad: %s\r\nContent-Length: %d\r\n\r\n%s",
						n, n, n, n, strings.Repeat("x", 10*i), len(body), body)
				}
				c.send(reqs.String()) // five pipelined requests in one write
				for range 5 {
					if resp, _ := c.response("POST"); resp.StatusCode != 200 {
						t.Errorf("status %d, want 200", resp.StatusCode)
					}
				}
			}
		})
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(all) != 100 {
		t.Fatalf("%d requests served, want 100", len(all))
	}
	for _, k := range all {
		r := k.r
		switch {
		case r.Method != k.method, r.URL.String() != k.uri, r.Host != k.host, r.Proto != k.proto, r.RemoteAddr != k.remote:
			t.Errorf("a kept request changed: %s %s %s %s %s, was %s %s %s %s %s",
				r.Method, r.URL, r.Host, r.Proto, r.RemoteAddr, k.method, k.uri, k.host, k.proto, k.remote)
		case !reflect.DeepEqual(r.Header, k.header):
			t.Errorf("a kept request's header changed: %v, was %v", r.Header, k.header)
		case !strings.HasSuffix(k.uri, "?q="+k.header.Get("X-N")) || k.host != "h"+k.header.Get("X-N"):
			t.Errorf("a request saw another's fields: %s, Host %s, X-N %s", k.uri, k.host, k.header.Get("X-N"))
		}
	}
}
