package ch05_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"

	"github.com/httpfromscratch/course/internal/testkit"
)

// TestManyRequestsOneConnection: a hundred requests, one TCP connection.
func TestManyRequestsOneConnection(t *testing.T) {
	states := newStateRecorder()
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) { s.ConnState = states.hook })
	c := dial(t, addr)
	for i := range 100 {
		resp, body := c.roundTrip(fmt.Sprintf("GET /status/%d HTTP/1.1\r\nHost: a\r\n\r\n", 200+i%7))
		if resp.StatusCode != 200+i%7 || resp.Close {
			t.Fatalf("request %d: %d (close %v) %q, want %d on a kept connection", i, resp.StatusCode, resp.Close, body, 200+i%7)
		}
	}
	if n := states.connections(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
}

// TestDemoOnOneConnection runs every kind of demo response, one after the
// other, on one connection: each must leave the connection exactly at the
// start of the next response.
func TestDemoOnOneConnection(t *testing.T) {
	_, addr := startServer(t, demo.New(), nil)
	c := dial(t, addr)
	upload := strings.Repeat("0123456789", 100_000) // 1 MB: many buffers' worth
	sum := sha256.Sum256([]byte(upload))
	chunked := "5\r\nhello\r\n6\r\n, echo\r\n0\r\n\r\n"
	tests := []struct {
		name, raw, wantBody string
		wantStatus          int
	}{
		{"GET /", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "Hello, World!", 200},
		{"HEAD /", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", "", 200},
		{"chunked stream", "GET /stream?n=3 HTTP/1.1\r\nHost: a\r\n\r\n", "line 1\nline 2\nline 3\n", 200},
		{"POST /upload, 1 MB", fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n%s", len(upload), upload),
			fmt.Sprintf(`{"bytes":%d,"sha256":"%s"}`+"\n", len(upload), hex.EncodeToString(sum[:])), 200},
		{"chunked POST /echo", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
			`{"method":"POST","uri":"/echo","proto":"HTTP/1.1","host":"a","headers":{},"body":"hello, echo"}` + "\n", 200},
		{"404", "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n", "404 page not found\n", 404},
		{"204", "GET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n", "", 204},
		{"GET / again", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "Hello, World!", 200},
	}
	for _, tt := range tests {
		resp, body := c.roundTrip(tt.raw)
		if resp.StatusCode != tt.wantStatus || body != tt.wantBody || resp.Close {
			t.Fatalf("%s: %d %q (close %v), want %d %q, connection kept", tt.name, resp.StatusCode, body, resp.Close, tt.wantStatus, tt.wantBody)
		}
	}
}

// TestPersistence is the keep-alive decision seen from the wire: one
// request in raw bytes, the Connection field of the response, and whether
// the server then closes.
func TestPersistence(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		wantField  string // the response's Connection field
		wantClosed bool
	}{
		{"HTTP/1.1", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", false},
		{"HTTP/1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "close", true},
		{"HTTP/1.1 keep-alive, close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", "close", true},
		{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", "close", true},
		{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", false},
		{"HTTP/1.0 keep-alive, streamed body", "GET /stream?n=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "close", true},
		{"HTTP/1.1 streamed body", "GET /stream?n=2 HTTP/1.1\r\nHost: a\r\n\r\n", "", false},
		{"handler panics", "GET /panic HTTP/1.1\r\nHost: a\r\n\r\n", "close", true},
		{"handler says close", "GET /close HTTP/1.1\r\nHost: a\r\n\r\n", "close", true},
		{"unknown expectation", "GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", "close", true},
	}
	mux := http.NewServeMux()
	mux.Handle("/", demo.New())
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	_, addr := startServer(t, mux, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(tt.raw)
			resp, _ := c.response("GET")
			got := resp.Header.Get("Connection")
			if resp.Close {
				got = "close" // http.ReadResponse moves "close" to resp.Close
			}
			if got != tt.wantField {
				t.Errorf("response to %q: Connection %q, want %q", tt.raw, got, tt.wantField)
			}
			if tt.wantClosed {
				c.expectClosed()
			} else {
				c.expectOpen()
			}
		})
	}
}

// TestRejectionCloses: a request chapters 2 and 4 refuse, on a connection
// that served well so far, is answered with its status and closes it:
// after a bad head, nobody knows where the next request would start.
func TestRejectionCloses(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want int
	}{
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400},
		{"smuggling", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
		{"unknown coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"body too large", "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413},
	}
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) { s.Limits.MaxBodyBytes = 1000 })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.expectOpen()
			resp, _ := c.roundTrip(tt.raw)
			if resp.StatusCode != tt.want || !resp.Close {
				t.Errorf("readRequest(%q) answered %d (close %v), want %d and Connection: close", tt.raw, resp.StatusCode, resp.Close, tt.want)
			}
			c.expectClosed()
		})
	}
}

// TestPanicOnKeptConnection: a handler's panic on the third request of a
// connection gets 500 and closes that connection; the server lives on.
func TestPanicOnKeptConnection(t *testing.T) {
	logs := new(testkit.LogRecorder)
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) { s.Logf = logs.Logf })
	c := dial(t, addr)
	c.expectOpen()
	c.expectOpen()
	resp, _ := c.roundTrip("GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 500 || !resp.Close {
		t.Errorf("GET /panic = %d (close %v), want 500 with Connection: close", resp.StatusCode, resp.Close)
	}
	c.expectClosed()
	if n := len(logs.Matching("panic serving")); n != 1 {
		t.Errorf("the panic was logged %d times, want once", n)
	}
	dial(t, addr).expectOpen()
}

// TestMaxRequestsPerConn: the last request allowed is answered with
// "Connection: close", and the connection then closes.
func TestMaxRequestsPerConn(t *testing.T) {
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) { s.MaxRequestsPerConn = 3 })
	c := dial(t, addr)
	for i := 1; i <= 3; i++ {
		resp, _ := c.roundTrip("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if want := i == 3; resp.Close != want {
			t.Errorf("request %d of 3: Connection: close is %v, want %v", i, resp.Close, want)
		}
	}
	c.expectClosed()
}

// TestSetKeepAlivesEnabled turns keep-alives off between two requests and
// in the middle of a handler: the next response, or the one in progress,
// says "Connection: close", and its connection closes.
func TestSetKeepAlivesEnabled(t *testing.T) {
	var srv atomic.Pointer[ch05.Server]
	mux := http.NewServeMux()
	mux.Handle("/", demo.New())
	mux.HandleFunc("/off", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // the head is not written yet: the status is only set
		srv.Load().SetKeepAlivesEnabled(false)
	})
	s, addr := startServer(t, mux, nil)
	srv.Store(s)

	t.Run("between requests", func(t *testing.T) {
		c := dial(t, addr)
		c.expectOpen()
		s.SetKeepAlivesEnabled(false)
		defer s.SetKeepAlivesEnabled(true)
		resp, _ := c.roundTrip("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if !resp.Close {
			t.Errorf("GET / after SetKeepAlivesEnabled(false): no Connection: close")
		}
		c.expectClosed()
	})
	t.Run("while the handler runs", func(t *testing.T) {
		c := dial(t, addr)
		c.expectOpen()
		defer s.SetKeepAlivesEnabled(true)
		resp, _ := c.roundTrip("GET /off HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp.StatusCode != 202 || !resp.Close {
			t.Errorf("GET /off = %d (close %v), want 202 with Connection: close", resp.StatusCode, resp.Close)
		}
		c.expectClosed()
	})
	t.Run("on again", func(t *testing.T) {
		c := dial(t, addr)
		c.expectOpen()
		c.expectOpen()
	})
}

// TestPipelining sends three requests in one write: the responses come
// back in order, and in one write: the server flushed only when no
// further request was waiting.
func TestPipelining(t *testing.T) {
	ln := testkit.Listen(t)
	cl := &testkit.CountingListener{Listener: ln}
	serveOn(t, cl, demo.New(), nil)
	c := dial(t, ln.Addr().String())

	c.send("GET /status/201 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
		"GET /status/203 HTTP/1.1\r\nHost: a\r\n\r\n")
	want := []struct {
		status int
		body   string
	}{
		{201, "Created"},
		{200, `{"method":"POST","uri":"/echo","proto":"HTTP/1.1","host":"a","headers":{"Content-Length":["5"]},"body":"hello"}` + "\n"},
		{203, "Non-Authoritative Information"},
	}
	for i, w := range want {
		method := "GET"
		if i == 1 {
			method = "POST"
		}
		resp, body := c.response(method)
		if resp.StatusCode != w.status || body != w.body {
			t.Errorf("pipelined response %d = %d %q, want %d %q", i+1, resp.StatusCode, body, w.status, w.body)
		}
	}
	if n := cl.Writes.Load(); n != 1 {
		t.Errorf("three pipelined responses took %d writes, want 1", n)
	}
	c.expectOpen()
	if n := cl.Writes.Load(); n != 2 {
		t.Errorf("after one more request: %d writes, want 2", n)
	}
}

// TestPipeliningWaitsForNobody: a response is flushed, not held back for
// a pipelined batch, when what follows it may wait for the client, and
// the client may wait for that response before it sends the rest: the
// reader holds only the start of the next request's head, or a head whose
// body has not all arrived (the handler would wait for it).
func TestPipeliningWaitsForNobody(t *testing.T) {
	_, addr := startServer(t, demo.New(), nil)
	for _, tc := range []struct {
		name, next, rest, method string
		status                   int
		body                     string // in the second response's body
	}{
		{"partial head", "GET /status/202 HTTP/1.1\r\n", "Host: a\r\n\r\n", "GET", 202, "Accepted"},
		{"body to come", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhel", "lo worl", "POST", 200, `"body":"hello worl"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send("GET /status/201 HTTP/1.1\r\nHost: a\r\n\r\n" + tc.next)
			if resp, _ := c.response("GET"); resp.StatusCode != 201 {
				t.Fatalf("first response %d, want 201", resp.StatusCode)
			}
			c.send(tc.rest) // only now the rest of the second request
			if resp, body := c.response(tc.method); resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("second response %d %q, want %d with %q", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

// TestIdleTimeout: a connection that sends nothing after a response is
// closed once IdleTimeout has passed, without a word. Not before: the idle
// clock starts after the last response, so the close comes at least
// IdleTimeout after the test sent the last request, however loaded the
// machine (a cause never follows its effect). How much later is the
// scheduler's business: the test only bounds it by testTimeout.
func TestIdleTimeout(t *testing.T) {
	const idle = 200 * time.Millisecond
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) { s.IdleTimeout = idle })
	c := dial(t, addr)
	c.expectOpen()
	sent := time.Now()
	c.expectOpen()
	c.expectClosed()
	if waited := time.Since(sent); waited < idle {
		t.Errorf("the connection was closed %v after its last request was sent, before the idle timeout %v", waited, idle)
	}
}

// TestReadHeaderTimeout: slowloris. A client that starts a request and
// does not finish its head in time gets 408 and a close, on the first
// request (the clock started at the accept) as on a later one (the clock
// starts at the request's first byte, not when the connection went idle).
func TestReadHeaderTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) {
		s.ReadHeaderTimeout = timeout
		s.IdleTimeout = time.Hour // long: only the head's clock may fire
	})

	t.Run("first request", func(t *testing.T) {
		c := dial(t, addr)
		c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
		resp, _ := c.response("GET") // within testTimeout
		if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
			t.Errorf("half a head = %d (close %v), want 408 with Connection: close", resp.StatusCode, resp.Close)
		}
		c.expectClosed()
	})
	t.Run("a byte at a time", func(t *testing.T) {
		c := dial(t, addr)
		c.expectOpen()
		// Well within the timeout between bytes, but never done: the
		// deadline is for the whole head. The sleep is the slow client's
		// pace, not a wait for the server: a loaded machine only makes
		// the client slower, and a correct server answers 408 anyway.
		head := "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1234567890123456789012345678901234567890"
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range len(head) {
				if _, err := c.c.Write([]byte{head[i]}); err != nil {
					return // closed by the server, as it should
				}
				time.Sleep(timeout / 10)
			}
		}()
		resp, _ := c.response("GET")
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("a slowloris head = %d, want 408", resp.StatusCode)
		}
		c.expectClosed()
		<-done
	})
	t.Run("no request at all", func(t *testing.T) {
		// Closed by the head's clock, started at the accept: the idle
		// one would take an hour, which expectClosed does not wait out.
		dial(t, addr).expectClosed()
	})
	t.Run("idle is not the head's business", func(t *testing.T) {
		c := dial(t, addr)
		c.expectOpen()
		// Idle for longer than the head timeout, which is allowed: until
		// a silent connection, opened once c went idle, has been closed
		// by that timeout, counted from its accept.
		dial(t, addr).expectClosed()
		c.expectOpen()
	})
}

// TestRequestAfterIdleWait: the bytes that arrive while a connection
// waits between requests reach the parser whole, in order, whatever
// their size: a head sent in two pieces, a head larger than the buffer the
// wait reads into (4 KiB), a body behind it; and the connection goes on.
func TestRequestAfterIdleWait(t *testing.T) {
	_, addr := startServer(t, demo.New(), nil)
	c := dial(t, addr)
	c.expectOpen() // the connection is now parked, waiting for the next request

	c.send("PO")
	c.send("ST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
	if resp, body := c.response("POST"); resp.StatusCode != 200 || !strings.Contains(body, `"body":"hello"`) {
		t.Fatalf("head in two pieces: %d %q, want 200 echoing the body \"hello\"", resp.StatusCode, body)
	}

	big := strings.Repeat("b", 6000)
	resp, body := c.roundTrip("POST /echo HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\nContent-Length: 5\r\n\r\nworld")
	if resp.StatusCode != 200 || !strings.Contains(body, big) || !strings.Contains(body, `"body":"world"`) || resp.Close {
		t.Fatalf("6 KB head: %d %.200q (close %v), want 200 echoing the whole head and \"world\" on a kept connection", resp.StatusCode, body, resp.Close)
	}
	c.expectOpen()
}

// TestRequestsSplitAcrossIdleWaits sends 300 requests on one connection,
// each with a head and a body of random sizes (up to 12 KiB and 6 KiB,
// across the 4 KiB the idle wait reads at once) written in one to three
// pieces cut at random points. Every echo must carry exactly the request's
// padding and body: a byte lost, doubled or reordered between the wait's
// read and the reader's shows here. The seed is fixed, so a failure
// replays.
func TestRequestsSplitAcrossIdleWaits(t *testing.T) {
	_, addr := startServer(t, demo.New(), nil)
	c := dial(t, addr)
	rng := rand.New(rand.NewPCG(9, 9))
	letters := "abcdefghijklmnopqrstuvwxyz0123456789"
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	for i := range 300 {
		pad, body := random(rng.IntN(12<<10)), random(rng.IntN(6<<10))
		raw := fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: a\r\nX-Pad: %s\r\nContent-Length: %d\r\n\r\n%s", pad, len(body), body)
		for rest := raw; rest != ""; {
			n := len(rest)
			if rng.IntN(3) > 0 {
				n = 1 + rng.IntN(len(rest))
			}
			c.send(rest[:n])
			rest = rest[n:]
		}
		resp, echoed := c.response("POST")
		if resp.StatusCode != 200 || resp.Close ||
			!strings.Contains(echoed, `"X-Pad":["`+pad+`"]`) || !strings.Contains(echoed, `"body":"`+body+`"`) {
			t.Fatalf("request %d (%d-byte padding, %d-byte body): %d (close %v), echo %.200q...",
				i, len(pad), len(body), resp.StatusCode, resp.Close, echoed)
		}
	}
}

// TestWholeHeadNeedsNoHeaderDeadline: a head already whole in the reader
// is read without a clock. Three requests pipelined in one write cost
// two read deadlines: the connection's first head timeout, and the idle
// timeout once the third is answered; the second and third heads, whole
// in the reader, set none (with a deadline per head, four).
func TestWholeHeadNeedsNoHeaderDeadline(t *testing.T) {
	ln := &testkit.CountingListener{Listener: testkit.Listen(t)}
	closed := make(chan struct{})
	serveOn(t, ln, demo.New(), func(s *ch05.Server) {
		s.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed {
				close(closed)
			}
		}
	})
	c := dial(t, ln.Addr().String())
	c.send("GET /status/201 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"GET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"GET /status/203 HTTP/1.1\r\nHost: a\r\n\r\n")
	for want := 201; want <= 203; want++ {
		if resp, _ := c.response("GET"); resp.StatusCode != want {
			t.Fatalf("pipelined response %d, want %d", resp.StatusCode, want)
		}
	}
	c.c.Close()
	select {
	case <-closed:
	case <-time.After(testTimeout):
		t.Fatal("the server did not close the connection")
	}
	if n := ln.Deadlines.Load(); n != 2 {
		t.Errorf("%d read deadlines set for three pipelined requests, want 2", n)
	}
}

// TestStrayCRLFAfterABody: old clients send a CRLF after a body (RFC
// 9112 section 2.2). It is no start of a request: the connection is idle
// after the response, and closes quietly at the idle timeout, not with a
// 408 when a header timeout runs out.
func TestStrayCRLFAfterABody(t *testing.T) {
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) {
		s.ReadHeaderTimeout = 50 * time.Millisecond
		s.IdleTimeout = 300 * time.Millisecond
	})
	for _, late := range []bool{false, true} {
		c := dial(t, addr)
		post := "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
		if !late {
			post += "\r\n" // with the body
		}
		resp, _ := c.roundTrip(post)
		if resp.StatusCode != 200 {
			t.Fatalf("POST /echo = %d, want 200", resp.StatusCode)
		}
		if late {
			time.Sleep(100 * time.Millisecond) // the server waits idle now
			c.send("\r\n")
		}
		c.expectClosed() // fails if a 408 comes first
	}
}

// TestHandlerWriteDeadlineEndsWithItsResponse: a write deadline a
// handler set (http.ResponseController) is its own response's: the next
// response on the connection, written after it has passed, arrives.
func TestHandlerWriteDeadlineEndsWithItsResponse(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/short" {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
		}
		io.WriteString(w, "ok")
	})
	_, addr := startServer(t, h, nil)
	c := dial(t, addr)
	if resp, _ := c.roundTrip("GET /short HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("GET /short = %d (close %v), want 200, kept", resp.StatusCode, resp.Close)
	}
	time.Sleep(150 * time.Millisecond) // past the handler's deadline
	if resp, body := c.roundTrip("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("GET /next = %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
}

// TestContextEndsWhenTheHandlerReturns: the request's context is
// cancelled as soon as the handler returns, as net/http does, not once
// the loop has read what the handler left of the body.
func TestContextEndsWhenTheHandlerReturns(t *testing.T) {
	cancelled := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		go func() { <-ctx.Done(); close(cancelled) }()
		io.WriteString(w, "ok")
	})
	_, addr := startServer(t, h, nil)
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\nhello") // 15 bytes short
	select {
	case <-cancelled:
	case <-time.After(testTimeout):
		t.Fatal("the context still runs while the loop waits for the rest of the body")
	}
}

// TestCloseCancelsContexts: Close cancels the context of a handler still
// running, with ErrServerClosed as the cause, even one whose connection
// nothing reads (a body not read to its end starts no watch on the
// client), so that a handler waiting on it returns and Close with it.
func TestCloseCancelsContexts(t *testing.T) {
	entered := make(chan struct{})
	cause := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		select {
		case <-r.Context().Done():
			cause <- context.Cause(r.Context())
		case <-time.After(2 * testTimeout): // a server that never cancels: end anyway
			cause <- nil
		}
	})
	s, addr := startServer(t, h, nil)
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
	<-entered
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(testTimeout):
		t.Fatal("Close still waits for a handler waiting on its context")
	}
	if err := <-cause; !errors.Is(err, ch05.ErrServerClosed) {
		t.Errorf("the context's cause is %v, want ErrServerClosed", err)
	}
}
