package bench

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// helloServer starts a net/http server answering every request with
// "Hello, World!", and counts the connections it accepts.
func helloServer(t *testing.T) (addr string, conns *atomic.Int64) {
	t.Helper()
	conns = new(atomic.Int64)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), conns
}

// rawServer serves every connection with handle, which reads requests
// from br and writes whatever it likes to c. The server and every handler
// are done when the test ends.
func rawServer(t *testing.T, handle func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c, bufio.NewReader(c))
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// readRequest reads one request's head (the bench sends no bodies) and
// reports whether one came.
func readRequest(br *bufio.Reader) bool {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "\r\n" {
			return true
		}
	}
}

func TestRunRequests(t *testing.T) {
	addr, conns := helloServer(t)
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 4, Requests: 200})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests != 200 || res.Errors != 0 || res.Non2xx != 0 {
		t.Errorf("Run = %d requests, %d errors, %d non-2xx, want 200, 0, 0", res.Requests, res.Errors, res.Non2xx)
	}
	if res.Latency.Count() != 200 {
		t.Errorf("Latency.Count() = %d, want one sample per response, 200", res.Latency.Count())
	}
	if res.Latency.Percentile(50) <= 0 || res.Latency.Max() < res.Latency.Percentile(99) {
		t.Errorf("latency p50 %v, p99 %v, max %v: want 0 < p50 <= p99 <= max",
			res.Latency.Percentile(50), res.Latency.Percentile(99), res.Latency.Max())
	}
	// A worker that starts late may find the 200 requests already sent,
	// and never dial.
	if n := conns.Load(); n < 1 || n > 4 {
		t.Errorf("server saw %d connections, want 1 to 4: keep-alive reuses them", n)
	}
	if res.RequestsPerSecond() <= 0 {
		t.Errorf("RequestsPerSecond() = %v, want > 0", res.RequestsPerSecond())
	}
}

func TestRunNoKeepAlive(t *testing.T) {
	addr, conns := helloServer(t)
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Requests: 50, NoKeepAlive: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests != 50 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d errors, want 50, 0", res.Requests, res.Errors)
	}
	if n := conns.Load(); n != 50 {
		t.Errorf("server saw %d connections, want one per request, 50", n)
	}
}

func TestRunPipeline(t *testing.T) {
	// The server reads a whole batch before answering any of it, so the
	// run passes only if the client really writes Pipeline requests
	// before reading.
	const depth = 8
	addr := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			for range depth {
				if !readRequest(br) {
					return
				}
			}
			resp := strings.Repeat("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", depth)
			if _, err := io.WriteString(c, resp); err != nil {
				return
			}
		}
	})
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Requests: 160, Pipeline: depth, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests != 160 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d errors, want 160, 0", res.Requests, res.Errors)
	}
}

func TestRunCountsNon2xx(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		for readRequest(br) {
			io.WriteString(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nerror")
		}
	})
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 4, Requests: 200})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests != 200 || res.Non2xx != 200 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d non-2xx, %d errors, want 200, 200, 0", res.Requests, res.Non2xx, res.Errors)
	}
}

func TestRunCountsErrors(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		if readRequest(br) {
			// Promise 100 bytes, send 7, hang up.
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
		}
	})
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 4, Requests: 200})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Errors != 200 || res.Requests != 0 {
		t.Errorf("Run = %d errors, %d requests, want 200, 0", res.Errors, res.Requests)
	}
	if res.Latency.Count() != 0 {
		t.Errorf("Latency.Count() = %d, want 0: failed requests have no latency", res.Latency.Count())
	}
}

func TestRunResendsAfterAnnouncedClose(t *testing.T) {
	// Three responses per connection, the last with Connection: close;
	// with a pipeline of 4 the fourth request of each batch goes
	// unanswered and must be sent again, not counted as an error.
	var conns atomic.Int64
	addr := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		conns.Add(1)
		for i := 1; i <= 3 && readRequest(br); i++ {
			if i == 3 {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Requests: 60, Pipeline: 4})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests != 60 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d errors, want 60, 0", res.Requests, res.Errors)
	}
	if n := conns.Load(); n < 20 {
		t.Errorf("server saw %d connections, want at least 20 (3 responses each)", n)
	}
}

// TestRunDuration: a run with a Duration sends requests for that long
// and reports it: Elapsed is at least the Duration, and no more than the
// time Run took, however loaded the machine (how much more than the
// Duration is the scheduler's business, not the test's).
func TestRunDuration(t *testing.T) {
	addr, _ := helloServer(t)
	var calls atomic.Int64
	var last Status
	const d = 200 * time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Duration: d,
		Progress: func(s Status) { calls.Add(1); last = s }})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d errors, want some, 0", res.Requests, res.Errors)
	}
	if res.Elapsed < d || res.Elapsed > took {
		t.Errorf("Elapsed = %v, want at least the Duration %v and at most the %v Run took", res.Elapsed, d, took)
	}
	if calls.Load() == 0 || last.Requests != res.Requests {
		t.Errorf("Progress called %d times, last with %d requests, want at least once, last with %d",
			calls.Load(), last.Requests, res.Requests)
	}
}

func TestRunUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Requests: 20})
	if err != nil {
		t.Fatalf("Run: %v, want the failures counted, not returned", err)
	}
	if res.Errors != 20 || res.Requests != 0 {
		t.Errorf("Run = %d errors, %d requests, want 20, 0", res.Errors, res.Requests)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	// A server that reads requests and never answers: only cancelling
	// ends the run, long before its 1 minute timeout.
	accepted := make(chan struct{}, 2)
	addr := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		accepted <- struct{}{}
		io.Copy(io.Discard, br)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-accepted
		<-accepted
		cancel()
	}()
	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Run(ctx, Config{Addr: addr, Connections: 2, Duration: time.Minute, Timeout: time.Minute})
		done <- result{res, err}
	}()
	// Without the cancel, Run would go on for its minute: a bound well
	// short of that tells a Run that ignores ctx, and no healthy one
	// comes near it.
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run has not returned 10s after its context was cancelled")
	}
	res, err := r.res, r.err
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if res.Errors != 0 {
		t.Errorf("Run counted %d errors, want 0: requests cut short by the bench are not the server's", res.Errors)
	}
}

// TestBatchAllocatesNothing runs the worker's hot path, a batch of
// pipelined requests on an open connection, and checks that it never
// touches the heap. AllocsPerRun counts the whole process's allocations,
// so the server here allocates nothing either: it knows the request's
// exact length and answers each one with a pre-built response.
func TestBatchAllocatesNothing(t *testing.T) {
	const depth = 4
	cfg := Config{Addr: "127.0.0.1:1", Connections: 1, Duration: time.Hour, Pipeline: depth}.withDefaults()
	req := buildRequest(cfg, depth)
	one := len(req) / depth
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!")
	addr := rawServer(t, func(c net.Conn, _ *bufio.Reader) {
		buf := make([]byte, 4096)
		pending := 0
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			for pending += n; pending >= one; pending -= one {
				if _, err := c.Write(resp); err != nil {
					return
				}
			}
		}
	})
	cfg.Addr = addr
	r := &run{cfg: cfg, start: time.Now(), end: time.Now().Add(time.Hour)}
	w := newWorker(r, req)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	w.setConn(nc)
	w.br.Reset(nc)
	defer w.setConn(nil)
	allocs := testing.AllocsPerRun(100, func() { w.batch(depth, time.Now()) })
	if w.errors != 0 || w.requests != 101*depth {
		t.Fatalf("worker counted %d requests, %d errors, want %d (AllocsPerRun warms up once), 0",
			w.requests, w.errors, 101*depth)
	}
	if allocs != 0 {
		t.Errorf("batch allocates %v times, want 0", allocs)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Addr: "127.0.0.1:8080"}
	tests := []struct {
		name   string
		change func(*Config)
		want   string // in the message: the flag to fix
	}{
		{"no address", func(c *Config) { c.Addr = "" }, "address"},
		{"negative connections", func(c *Config) { c.Connections = -1 }, "--connections"},
		{"too many connections", func(c *Config) { c.Connections = MaxConnections + 1 }, "--connections"},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }, "--duration"},
		{"negative requests", func(c *Config) { c.Requests = -5 }, "--requests"},
		{"duration and requests", func(c *Config) { c.Duration, c.Requests = time.Second, 10 }, "both"},
		{"pipeline too deep", func(c *Config) { c.Pipeline = MaxPipeline + 1 }, "--pipeline"},
		{"pipeline without keep-alive", func(c *Config) { c.Pipeline, c.NoKeepAlive = 2, true }, "keep-alive"},
		{"path not origin-form", func(c *Config) { c.Path = "http://x/" }, "--path"},
		{"path with a space", func(c *Config) { c.Path = "/a b" }, "--path"},
		{"host with a line break", func(c *Config) { c.Host = "a\r\nX: y" }, "line break"},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v, want nil", ok, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.Validate()
			if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate(%+v) = %v, want ErrBadConfig naming %q", c, err, tt.want)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw, addr, host, path string
	}{
		{"http://127.0.0.1:8080/", "127.0.0.1:8080", "127.0.0.1:8080", "/"},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", "127.0.0.1:8080", "/"},
		{"http://localhost/status/404?x=1", "localhost:80", "localhost", "/status/404?x=1"},
		{"http://[::1]:9000/a%20b", "[::1]:9000", "[::1]:9000", "/a%20b"},
	}
	for _, tt := range tests {
		addr, host, path, err := ParseURL(tt.raw)
		if err != nil || addr != tt.addr || host != tt.host || path != tt.path {
			t.Errorf("ParseURL(%q) = %q, %q, %q, %v, want %q, %q, %q, nil", tt.raw, addr, host, path, err, tt.addr, tt.host, tt.path)
		}
	}
	for _, raw := range []string{"https://127.0.0.1/", "127.0.0.1:8080", "ftp://x/", "http://x:99999/", "http://%zz"} {
		if _, _, _, err := ParseURL(raw); !errors.Is(err, ErrBadConfig) {
			t.Errorf("ParseURL(%q) = %v, want ErrBadConfig", raw, err)
		}
	}
}

func TestBuildRequest(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		n    int
		want string
	}{
		{"keep-alive", Config{Host: "h:1", Path: "/"}, 1,
			"GET / HTTP/1.1\r\nHost: h:1\r\nUser-Agent: learn-bench\r\n\r\n"},
		{"close", Config{Host: "h", Path: "/x", NoKeepAlive: true}, 1,
			"GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: learn-bench\r\nConnection: close\r\n\r\n"},
		{"pipelined", Config{Host: "h", Path: "/"}, 2,
			"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: learn-bench\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nUser-Agent: learn-bench\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(buildRequest(tt.cfg, tt.n)); got != tt.want {
				t.Errorf("buildRequest(%+v, %d) = %q, want %q", tt.cfg, tt.n, got, tt.want)
			}
		})
	}
}
