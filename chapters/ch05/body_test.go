package ch05_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
)

// bodyMux is the demo app plus handlers that treat the body in various
// ways.
func bodyMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", demo.New())
	// /ignore answers without touching the body.
	mux.HandleFunc("/ignore", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored")
	})
	// /close-early reads 10 bytes, closes the body, and answers.
	mux.HandleFunc("/close-early", func(w http.ResponseWriter, r *http.Request) {
		io.ReadFull(r.Body, make([]byte, 10))
		r.Body.Close()
		io.WriteString(w, "read 10")
	})
	// /deny answers 401 without reading, as an authentication check would.
	mux.HandleFunc("/deny", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	})
	// /deny-then-read sets 401, then reads the body after all.
	mux.HandleFunc("/deny-then-read", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.Copy(io.Discard, r.Body)
	})
	return mux
}

// TestDrainUnreadBody: what a handler leaves of a body is read by the
// server, up to MaxDrainBytes, and the connection carries on; past the
// bound, the response says "Connection: close" and the connection closes.
func TestDrainUnreadBody(t *testing.T) {
	const bound = 4 << 10
	_, addr := startServer(t, bodyMux(), func(s *ch05.Server) { s.MaxDrainBytes = bound })
	small := strings.Repeat("x", 1000)
	big := strings.Repeat("y", 64<<10)
	chunk := func(data string) string {
		var b strings.Builder
		for len(data) > 0 {
			n := min(len(data), 1000)
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, data[:n])
			data = data[n:]
		}
		return b.String() + "0\r\nX-Trailer: t\r\n\r\n"
	}
	tests := []struct {
		name      string
		raw       string
		wantClose bool
	}{
		{"small body, not read", "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + small, false},
		{"small body, partly read, closed", "POST /close-early HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + small, false},
		{"small chunked body with trailer, not read", "POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(small), false},
		{"exactly the bound", "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n" + strings.Repeat("z", bound), false},
		{"Content-Length over the bound", "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 65536\r\n\r\n" + big, true},
		{"chunked body over the bound", "POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(big), true},
		{"HTTP/1.0 keep-alive, small body", "POST /ignore HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1000\r\n\r\n" + small, false},
		{"broken chunked framing", "POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			resp, _ := c.roundTrip(tt.raw)
			if resp.StatusCode != 200 || resp.Close != tt.wantClose {
				t.Fatalf("%s: %d (close %v), want 200, close %v", tt.name, resp.StatusCode, resp.Close, tt.wantClose)
			}
			if tt.wantClose {
				c.expectClosed()
			} else {
				c.expectOpen()
			}
		})
	}
}

// TestDrainTimeout: a client that stops sending its body halfway cannot
// hold the connection: draining runs under the header timeout.
func TestDrainTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	_, addr := startServer(t, bodyMux(), func(s *ch05.Server) { s.ReadHeaderTimeout = timeout })
	c := dial(t, addr)
	resp, _ := c.roundTrip("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten b")
	if resp.StatusCode != 200 || !resp.Close {
		t.Errorf("a stalled body: %d (close %v), want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	c.expectClosed()
}

// readInterim reads what arrives within d: "" if nothing did.
func readInterim(t *testing.T, c *client, d time.Duration) string {
	t.Helper()
	c.c.SetReadDeadline(time.Now().Add(d))
	line, _ := c.br.ReadString('\n')
	if line == "" {
		return ""
	}
	rest, err := c.br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading after %q: %v", line, err)
	}
	return line + rest
}

// TestExpectContinue: "HTTP/1.1 100 Continue" goes out when, and only
// when, the handler starts reading the body.
func TestExpectContinue(t *testing.T) {
	_, addr := startServer(t, bodyMux(), nil)
	const head = "POST %s HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"

	t.Run("the handler reads", func(t *testing.T) {
		c := dial(t, addr)
		c.send(fmt.Sprintf(head, "/echo"))
		if got := readInterim(t, c, testTimeout); got != "HTTP/1.1 100 Continue\r\n\r\n" {
			t.Fatalf("after the head: %q, want 100 Continue", got)
		}
		c.send("hello")
		resp, body := c.response("POST")
		if resp.StatusCode != 200 || !strings.Contains(body, `"body":"hello"`) || resp.Close {
			t.Errorf("POST /echo = %d %q (close %v), want 200 with the body, kept", resp.StatusCode, body, resp.Close)
		}
		c.expectOpen()
	})
	t.Run("the handler answers 401 without reading", func(t *testing.T) {
		c := dial(t, addr)
		c.send(fmt.Sprintf(head, "/deny"))
		// The 401 comes first, with no 100 before it: http.ReadResponse
		// would skip a 100, so read the status line by hand.
		c.c.SetReadDeadline(time.Now().Add(testTimeout))
		status, err := c.br.ReadString('\n')
		if err != nil || status != "HTTP/1.1 401 Unauthorized\r\n" {
			t.Fatalf("after the head: %q (%v), want the 401 status line", status, err)
		}
		resp, _ := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader(status), c.br)), nil)
		io.Copy(io.Discard, resp.Body)
		if !resp.Close {
			t.Errorf("401 without Connection: close: the client never sent its body, and may not")
		}
		c.expectClosed()
	})
	t.Run("the handler sets 401, then reads", func(t *testing.T) {
		c := dial(t, addr)
		c.send(fmt.Sprintf(head, "/deny-then-read"))
		if got := readInterim(t, c, 300*time.Millisecond); got != "" {
			t.Fatalf("after the head: %q, want nothing until the body arrives", got)
		}
		c.send("hello") // as curl does when tired of waiting
		resp, _ := c.response("POST")
		if resp.StatusCode != 401 {
			t.Errorf("POST /deny-then-read = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("HTTP/1.0 gets no 100", func(t *testing.T) {
		c := dial(t, addr)
		c.send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
		c.c.SetReadDeadline(time.Now().Add(testTimeout))
		status, err := c.br.ReadString('\n')
		if err != nil || status != "HTTP/1.1 200 OK\r\n" {
			t.Errorf("HTTP/1.0 with Expect: %q (%v), want the 200 status line at once", status, err)
		}
	})
	t.Run("unknown expectation is 417", func(t *testing.T) {
		c := dial(t, addr)
		resp, _ := c.roundTrip("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\n")
		if resp.StatusCode != http.StatusExpectationFailed || !resp.Close {
			t.Errorf("Expect: something-else = %d (close %v), want 417 with Connection: close", resp.StatusCode, resp.Close)
		}
		c.expectClosed()
	})
	t.Run("the body came without waiting", func(t *testing.T) {
		c := dial(t, addr)
		c.send(fmt.Sprintf(head, "/upload") + "hello")
		resp, body := c.response("POST")
		if resp.StatusCode == http.StatusContinue { // allowed, not required
			resp, body = c.response("POST")
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(body, `{"bytes":5,`) {
			t.Errorf("POST /upload = %d %q", resp.StatusCode, body)
		}
		c.expectOpen()
	})
}

// TestBodyReaderLeftBehind: a handler may return while a goroutine of its
// own still reads the body: http.TimeoutHandler answers 503 and returns
// while its inner handler waits in Read. That goroutine must stop at once
// (the response is done, and the loop reads what is left of the body
// itself), and never read the bytes of the next request. The client here
// sends half its body and then nothing: the read left behind must end
// without it. Under -race, it also checks that the loop and that
// goroutine never touch the body at the same time.
func TestBodyReaderLeftBehind(t *testing.T) {
	leftover := make(chan error, 1)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body) // the client sends 5 of 10 bytes, then waits
		leftover <- err
	})
	_, addr := startServer(t, http.TimeoutHandler(inner, 50*time.Millisecond, "timeout"), nil)
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello")
	resp, _ := c.response("POST")
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("got %d (close %v), want 503 with Connection: close: half the body is still to come", resp.StatusCode, resp.Close)
	}
	select {
	case err := <-leftover:
		if err == nil {
			t.Errorf("the read left behind ended without an error, as if the body were whole")
		}
	case <-time.After(testTimeout):
		t.Fatalf("the read left behind still waits for the client %v after its handler returned", testTimeout)
	}
	c.expectClosed()
}

// TestContinueBesideFullDuplexWrites: a handler in full duplex reads the
// body (whose first Read sends "100 Continue") in one goroutine while it
// writes its response in another. The interim response must come whole,
// before the final one, never inside it; under -race, the test also
// catches the two goroutines sharing the connection's writer unguarded.
func TestContinueBesideFullDuplexWrites(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).EnableFullDuplex()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = io.Copy(io.Discard, r.Body)
		}()
		for range 20 {
			io.WriteString(w, strings.Repeat("x", 100))
			_ = http.NewResponseController(w).Flush()
		}
		<-done
	})
	_, addr := startServer(t, h, nil)
	for range 10 {
		c := dial(t, addr)
		c.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
		c.send("hello")
		c.c.SetReadDeadline(time.Now().Add(testTimeout))
		all, err := io.ReadAll(c.br)
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		s := string(all)
		final := strings.Index(s, "HTTP/1.1 200 ")
		if final < 0 {
			t.Fatalf("no 200 response in %q", s)
		}
		if i := strings.Index(s[final:], "100 Continue"); i >= 0 {
			t.Fatalf("\"100 Continue\" inside the 200 response: %q", s)
		}
	}
}

// TestContinueOnce: a handler that sends its own 100 Continue
// (WriteHeader(100)) and then reads gets no second one from the server,
// as with net/http.
func TestContinueOnce(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusContinue)
		_, _ = io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	})
	_, addr := startServer(t, h, nil)
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
	c.c.SetReadDeadline(time.Now().Add(testTimeout))
	all, err := io.ReadAll(c.br)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	if n := strings.Count(string(all), "100 Continue"); n != 1 {
		t.Errorf("%d interim responses in %q, want 1", n, all)
	}
}

// TestLeftBehindReaderKeepsTheWriteDeadline: waking a body Read the
// handler left behind must not take the handler's write deadline away:
// the flush of its response, to a client that never reads, still gives
// up at that deadline. (net.Pipe: a write waits until the other end
// reads, as a full socket buffer makes it.)
func TestLeftBehindReaderKeepsTheWriteDeadline(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		started := make(chan struct{})
		go func() { close(started); _, _ = io.ReadAll(r.Body) }()
		<-started
		time.Sleep(20 * time.Millisecond) // the goroutine is in its Read
		io.WriteString(w, strings.Repeat("x", 100))
	})
	s := &ch05.Server{Handler: h, Logf: t.Logf}
	srv, cli := net.Pipe()
	defer cli.Close()
	done := make(chan struct{})
	go func() { s.ServeConn(srv); close(done) }()
	cli.SetWriteDeadline(time.Now().Add(testTimeout))
	io.WriteString(cli, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc") // then never read
	select {
	case <-done:
	case <-time.After(testTimeout):
		cli.Close()
		<-done
		t.Fatal("the connection still served long after the handler's write deadline: waking the left-behind Read cleared it")
	}
}
