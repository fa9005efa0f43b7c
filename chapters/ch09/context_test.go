package ch09

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/internal/testkit"
)

// newPipeRequest sends raw on a net.Pipe, reads the request from the
// server's end with this chapter's connection, and returns the request,
// its Response, its lazy context and the client's end.
func newPipeRequest(t *testing.T, raw string) (*http.Request, *ch04.Response, *lazyContext, net.Conn) {
	t.Helper()
	server, client := testkit.Pipe(t)
	hc := new(conns).NewConn(context.Background(), server, ch02.Limits{}, nil)
	go io.WriteString(client, raw) //nolint:errcheck // the read below fails if it did
	pr, err := hc.ReadRequest()
	if err != nil {
		t.Fatalf("ReadRequest(%q) = %v", raw, err)
	}
	r, w, err := hc.NewRequest(pr, false)
	if err != nil {
		t.Fatal(err)
	}
	lc, ok := r.Context().(*lazyContext)
	if !ok {
		t.Fatalf("r.Context() is a %T, want *lazyContext", r.Context())
	}
	return r, w, lc, client
}

// TestContextIsLazy: a handler that never asks for Done or Err costs no
// watch, though Value answers; the first Done builds chapter 4's watch,
// which then watches the client (no body here) until Finish.
func TestContextIsLazy(t *testing.T) {
	r, w, lc, _ := newPipeRequest(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if r.Context().Value(http.LocalAddrContextKey) == nil {
		t.Error("no http.LocalAddrContextKey")
	}
	if lc.ready.Load() {
		t.Fatal("the watch was built before anyone asked for Done or Err")
	}
	done := r.Context().Done()
	if !lc.ready.Load() {
		t.Fatal("Done did not build the watch")
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Finish did not cancel the context")
	}
	if r.Context().Err() != context.Canceled {
		t.Errorf("Err() after Finish = %v, want context.Canceled", r.Context().Err())
	}
}

// TestContextAfterFinish: asked for only after the handler returned, the
// context is already cancelled, and no read of the connection starts.
func TestContextAfterFinish(t *testing.T) {
	r, w, lc, _ := newPipeRequest(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if lc.ready.Load() {
		t.Fatal("Finish built the watch")
	}
	if err := r.Context().Err(); err != context.Canceled {
		t.Errorf("Err() after Finish = %v, want context.Canceled", err)
	}
}

// TestLazyContextSeesTheClientLeave: a context asked for while the body
// is unread starts watching at the body's end, and is cancelled with
// chapter 4's ErrClientGone when the client closes.
func TestLazyContextSeesTheClientLeave(t *testing.T) {
	r, w, _, client := newPipeRequest(t, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
	done := r.Context().Done()
	go io.WriteString(client, "hello") //nolint:errcheck // the read below fails if it did
	b := make([]byte, 5)
	if _, err := io.ReadFull(r.Body, b); string(b) != "hello" || err != nil {
		t.Fatalf("body = %q, %v", b, err)
	}
	client.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not cancelled when the client left")
	}
	if err := context.Cause(r.Context()); !errors.Is(err, ch04.ErrClientGone) {
		t.Errorf("context.Cause = %v, want ch04.ErrClientGone", err)
	}
	if err := w.Finish(); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatal(err)
	}
}

// TestTimeoutChildNeedsNoGoroutine: context.WithTimeout(r.Context(), d)
// finds the cancelCtx behind the lazy context through Value, so the
// child is cancelled with its parent.
func TestTimeoutChildNeedsNoGoroutine(t *testing.T) {
	r, w, _, _ := newPipeRequest(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	child, cancel := context.WithTimeout(r.Context(), time.Hour)
	defer cancel()
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the child was not cancelled with the request")
	}
}
