package demo

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPanicNetHTTP records what net/http does with GET /panic: it recovers,
// logs the panic with ErrPanic's message, and closes the connection without
// writing a single byte, so the client sees no 500 at all (the course's
// servers answer 500 instead). The server lives on and serves the next
// connection.
func TestPanicNetHTTP(t *testing.T) {
	srv, logs := newServer(t, New())

	raw := "GET /panic HTTP/1.1\r\nHost: a\r\n\r\n"
	if got := exchange(t, srv, raw); got != "" {
		t.Errorf("exchange(%q) = %q, want the connection closed with no reply", raw, got)
	}
	if log := logs.String(); !strings.Contains(log, "http: panic serving") || !strings.Contains(log, ErrPanic.Error()) {
		t.Errorf("server log = %q, want the panic and %q", log, ErrPanic)
	}

	raw = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	if got := exchange(t, srv, raw); !strings.HasSuffix(got, "\r\n\r\nHello, World!") {
		t.Errorf("after the panic, exchange(%q) = %q, want Hello, World!", raw, got)
	}
}

// watch wraps h to report on started when it begins serving a request and
// on done when it returns.
func watch(h http.Handler, started, done chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		defer func() { done <- struct{}{} }()
		h.ServeHTTP(w, r)
	})
}

// receive waits for ch, failing the test after waitBound.
func receive(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitBound):
		t.Fatalf("%s: nothing after %v", what, waitBound)
	}
}

// TestSleepClientGone proves a /sleep handler on net/http returns as soon
// as its client hangs up: net/http notices the closed connection and
// cancels the request's context, long before the 60 s are up.
func TestSleepClientGone(t *testing.T) {
	started, done := make(chan struct{}, 1), make(chan struct{}, 1)
	srv, _ := newServer(t, watch(New(), started, done))

	c := dial(t, srv)
	if _, err := io.WriteString(c, "GET /sleep?ms=60000 HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	receive(t, started, "handler start")
	c.Close()
	receive(t, done, "handler return after the client closed")
}

// TestSleepServerCancels proves a /sleep interrupted by the server (here
// by cancelling the server's base context, as a forced shutdown would)
// answers 503 to the client still waiting.
func TestSleepServerCancels(t *testing.T) {
	started, done := make(chan struct{}, 1), make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewUnstartedServer(watch(New(), started, done))
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	t.Cleanup(srv.Close)

	c := dial(t, srv)
	if _, err := io.WriteString(c, "GET /sleep?ms=60000 HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	receive(t, started, "handler start")
	cancel()
	receive(t, done, "handler return after cancel")

	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusServiceUnavailable || string(body) != "503 sleep interrupted\n" {
		t.Errorf("GET /sleep?ms=60000, cancelled = %d %q, want 503 %q", res.StatusCode, body, "503 sleep interrupted\n")
	}
}
