package ch04

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/testkit"
)

// newPipeExchange sends raw on a net.Pipe, reads the request from the
// server's end with a Conn, and returns the request, its Response, and
// the client's end.
func newPipeExchange(t *testing.T, raw string) (*http.Request, *Response, net.Conn) {
	t.Helper()
	server, client := testkit.Pipe(t)
	c := NewConn(context.Background(), server, ch02.Limits{}, nil)
	go io.WriteString(client, raw)
	pr, err := c.ReadRequest()
	if err != nil {
		t.Fatalf("ReadRequest(%q) = %v", raw, err)
	}
	r, w, err := c.NewRequest(pr, false)
	if err != nil {
		t.Fatal(err)
	}
	return r, w, client
}

// readDone returns the channel closed when the watch's read returns, or
// nil when no read was started.
func readDone(w *Response) chan struct{} {
	cw := w.rc.(*clientWatch)
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return cw.readDone
}

// watching reports whether a background read was started.
func watching(w *Response) bool { return readDone(w) != nil }

// TestWatchStartsWithoutBody: a request without a body is watched from
// the start, as net/http watches it; Finish calls the read off and
// cancels the context, which answers http.LocalAddrContextKey.
func TestWatchStartsWithoutBody(t *testing.T) {
	r, w, _ := newPipeExchange(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if r.Context().Value(http.LocalAddrContextKey) == nil {
		t.Error("the context has no http.LocalAddrContextKey")
	}
	if !watching(w) {
		t.Fatal("no background read for a request without a body")
	}
	w.rc.Finish() // must call the read off and return
	if r.Context().Err() != context.Canceled {
		t.Errorf("Err() after Finish = %v, want context.Canceled", r.Context().Err())
	}
}

// TestWatchWaitsForBody: the watch may not read the connection while the
// handler still reads the body; it starts at the body's end, which a
// handler reading exactly Content-Length bytes reaches without an EOF.
func TestWatchWaitsForBody(t *testing.T) {
	r, w, client := newPipeExchange(t, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
	done := r.Context().Done()
	if watching(w) {
		t.Fatal("a background read started before the body was read")
	}
	go io.WriteString(client, "hello")
	b := make([]byte, 5)
	if _, err := io.ReadFull(r.Body, b); string(b) != "hello" || err != nil {
		t.Fatalf("body = %q, %v", b, err)
	}
	if !watching(w) {
		t.Fatal("no background read after the body's end")
	}
	client.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not cancelled when the client left")
	}
	if err := context.Cause(r.Context()); !errors.Is(err, ErrClientGone) || !errors.Is(err, context.Canceled) {
		t.Errorf("context.Cause = %v, want ErrClientGone, which is also context.Canceled", err)
	}
	w.rc.Finish()
}

// TestClientGoneIsACancel: ErrClientGone matches context.Canceled, as
// net/http's cause of a cancelled request context does, and keeps its
// message. (The reverse does not hold: TestWatchKeepsTheByte checks that
// a request merely finished is not a client gone.)
func TestClientGoneIsACancel(t *testing.T) {
	if !errors.Is(ErrClientGone, context.Canceled) {
		t.Error("errors.Is(ErrClientGone, context.Canceled) = false")
	}
	if msg := ErrClientGone.Error(); msg != "ch04: client closed the connection" {
		t.Errorf("ErrClientGone says %q", msg)
	}
}

// TestWatchKeepsTheByte: a byte that arrives during the watch (the start
// of a pipelined request) stays in the reader for the next request.
func TestWatchKeepsTheByte(t *testing.T) {
	r, w, client := newPipeExchange(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	go io.WriteString(client, "G")
	done := readDone(w)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the background read did not return when a byte arrived")
	}
	w.rc.Finish()
	if r.Context().Err() != context.Canceled || errors.Is(context.Cause(r.Context()), ErrClientGone) {
		t.Errorf("a client that sends more is not gone: Cause = %v", context.Cause(r.Context()))
	}
	if b, _ := w.conn.br.Peek(1); !strings.HasPrefix(string(b), "G") {
		t.Errorf("the reader holds %q, want the byte the watch saw", b)
	}
}
