package ch05_test

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
)

// TestConnState checks the transitions net/http documents, on a kept
// connection, a hijacked one, a rejected one and a silent one.
func TestConnState(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", demo.New())
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		rw.Flush()
		c.Close()
	})
	states := newStateRecorder()
	_, addr := startServer(t, mux, func(s *ch05.Server) {
		s.ConnState = states.hook
		s.ReadHeaderTimeout = 200 * time.Millisecond
	})
	const (
		sNew      = http.StateNew
		sActive   = http.StateActive
		sIdle     = http.StateIdle
		sHijacked = http.StateHijacked
		sClosed   = http.StateClosed
	)
	tests := []struct {
		name string
		run  func(c *client)
		want []http.ConnState
	}{
		{"two requests, then the client closes", func(c *client) {
			c.expectOpen()
			c.expectOpen()
			c.c.Close()
		}, []http.ConnState{sNew, sActive, sIdle, sActive, sIdle, sClosed}},
		{"Connection: close", func(c *client) {
			c.roundTrip("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		}, []http.ConnState{sNew, sActive, sClosed}},
		{"hijacked", func(c *client) {
			resp, body := c.roundTrip("GET /hijack HTTP/1.1\r\nHost: a\r\n\r\n")
			if body != "hijacked" {
				t.Errorf("GET /hijack = %d %q", resp.StatusCode, body)
			}
		}, []http.ConnState{sNew, sActive, sHijacked}},
		{"rejected", func(c *client) {
			c.roundTrip("GET / HTTP/1.1\r\n\r\n")
		}, []http.ConnState{sNew, sActive, sClosed}},
		{"nothing sent", func(c *client) {}, []http.ConnState{sNew, sClosed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(dial(t, addr))
			if got := states.waitEnd(t); !slices.Equal(got, tt.want) {
				t.Errorf("states = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOnResponse: the hook sees every response, with its status, the
// bytes the handler wrote, and when the request started: after the test
// sent it, before the test had read its answer.
func TestOnResponse(t *testing.T) {
	type entry struct {
		method, uri string
		status      int
		written     int64
		start       time.Time
	}
	var (
		mu      sync.Mutex
		entries []entry
	)
	_, addr := startServer(t, demo.New(), func(s *ch05.Server) {
		s.OnResponse = func(r *http.Request, status int, written int64, start time.Time) {
			mu.Lock()
			defer mu.Unlock()
			entries = append(entries, entry{r.Method, r.RequestURI, status, written, start})
		}
	})
	c := dial(t, addr)
	var sent, answered []time.Time
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /status/404 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /panic HTTP/1.1\r\nHost: a\r\n\r\n",
	} {
		sent = append(sent, time.Now())
		c.roundTrip(raw)
		answered = append(answered, time.Now())
	}
	c.expectClosed()

	mu.Lock()
	defer mu.Unlock()
	want := []entry{
		{"GET", "/", 200, 13, time.Time{}},
		{"HEAD", "/", 200, 13, time.Time{}},
		{"GET", "/status/404", 404, int64(len("Not Found")), time.Time{}},
		{"GET", "/panic", 500, int64(len("Internal Server Error\n")), time.Time{}},
	}
	if len(entries) != len(want) {
		t.Fatalf("OnResponse was called %d times, want %d: %+v", len(entries), len(want), entries)
	}
	for i, e := range entries {
		if e.start.Before(sent[i]) || e.start.After(answered[i]) {
			t.Errorf("response %d: start %v, want a time between the request's sending (%v) and the answer's arrival (%v)",
				i, e.start, sent[i], answered[i])
		}
		e.start = time.Time{}
		if e != want[i] {
			t.Errorf("response %d: %+v, want %+v", i, e, want[i])
		}
	}
}

// TestClose: Close ends idle connections at once, and Serve returns.
func TestClose(t *testing.T) {
	s, addr := startServer(t, demo.New(), nil)
	c := dial(t, addr)
	c.expectOpen()
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	c.c.SetReadDeadline(time.Now().Add(testTimeout))
	if n, err := c.br.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after Close = %d, %v, want EOF", n, err)
	}
}
