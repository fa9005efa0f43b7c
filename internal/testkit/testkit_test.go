package testkit

import (
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
)

func TestLogRecorder(t *testing.T) {
	var l LogRecorder
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { l.Logf("line %d: %s", i, map[bool]string{true: "panic serving", false: "ok"}[i%5 == 0]) })
	}
	wg.Wait()
	if n := len(l.Lines()); n != 10 {
		t.Fatalf("recorded %d lines, want 10", n)
	}
	got := l.Matching("panic")
	slices.Sort(got)
	if want := []string{"line 0: panic serving", "line 5: panic serving"}; !slices.Equal(got, want) {
		t.Errorf("Matching(panic) = %q, want %q", got, want)
	}
}

func TestDialHello(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello, World!"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	_, n := DialHello(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	// Status line, Date, Content-Length, Content-Type, blank line, body.
	if n < len("HTTP/1.1 200 OK\r\n\r\nHello, World!") || n > 200 {
		t.Errorf("response length %d, want that of one small response", n)
	}
}
