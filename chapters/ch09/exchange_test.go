package ch09

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

// repeatConn is a net.Conn whose client sends the same request for ever
// and reads nothing: a connection loop's steady state, in memory. It is
// not a syscall.Conn, so the connection waits by peeking, with no idle
// reader.
type repeatConn struct {
	net.Conn // nil: only the methods below are called
	request  string
	at       int
}

func (c *repeatConn) Read(p []byte) (int, error) {
	n := copy(p, c.request[c.at:])
	c.at = (c.at + n) % len(c.request)
	return n, nil
}

func (c *repeatConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *repeatConn) RemoteAddr() net.Addr        { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1} }
func (c *repeatConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 80} }

// inRoom reports whether s's bytes lie in x's head room.
func inRoom(s string, x *exchange) bool {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(&x.head[0]))
	return p >= start && p+uintptr(len(s)) <= start+uintptr(len(x.head))
}

// TestHeadLivesInTheExchange checks where a head's strings go: into the
// exchange's head room when the head fits, into a string of their own
// when it does not; either way the request reads the same.
func TestHeadLivesInTheExchange(t *testing.T) {
	if headRoom < 100 {
		t.Errorf("headRoom = %d bytes: chapter 4's Exchange grew, and exchangeClass should be the next size class up", headRoom)
	}
	if size := unsafe.Sizeof(exchange{}); size != exchangeClass-mallocHeader {
		t.Errorf("an exchange is %d bytes, want exchangeClass less the malloc header, %d", size, exchangeClass-mallocHeader)
	}
	small := "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n"
	for _, tc := range []struct {
		raw    string
		inRoom bool
	}{
		{small, true},
		{parsertest.BrowserGET, false},
		{"GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + strings.Repeat("x", int(headRoom)-len("GET / HTTP/1.1\r\nHost: h\r\nX-Fill: \r\n\r\n")) + "\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + strings.Repeat("x", int(headRoom)+1-len("GET / HTTP/1.1\r\nHost: h\r\nX-Fill: \r\n\r\n")) + "\r\n\r\n", false},
	} {
		hc := conns{}.NewConn(context.Background(), &repeatConn{request: tc.raw}, ch02.Limits{}, nil)
		st := hc.Parser.(*connState)
		pr, err := hc.ReadRequest()
		if err != nil {
			t.Fatalf("ReadRequest(%q): %v", tc.raw, err)
		}
		x := st.next
		if got := inRoom(pr.Target, x) && inRoom(pr.Header[0].Value, x); got != tc.inRoom {
			t.Errorf("a %d-byte head (room %d): strings in the head room = %v, want %v", len(tc.raw), headRoom, got, tc.inRoom)
		}
		r, w, err := hc.NewRequest(pr, true)
		if err != nil {
			t.Fatal(err)
		}
		if at, start := uintptr(unsafe.Pointer(r)), uintptr(unsafe.Pointer(x)); at < start || at >= start+exchangeClass {
			t.Error("the http.Request is not in the exchange ReadRequest allocated")
		}
		if ctx, ok := r.Context().(*lazyContext); !ok || ctx != &x.ctx {
			t.Errorf("r.Context() is %T %p, want the exchange's lazyContext %p", r.Context(), r.Context(), &x.ctx)
		}
		if r.URL.RawQuery != "b=c" && tc.raw == small {
			t.Errorf("URL.RawQuery = %q, want b=c", r.URL.RawQuery)
		}
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExchangeFillsItsSizeClass checks the arithmetic of headRoom with
// the allocator itself: a thousand exchanges must take exchangeClass bytes
// each, not the next class up. (runtime.MemStats counts the bytes of the
// size classes objects are given.)
func TestExchangeFillsItsSizeClass(t *testing.T) {
	const n = 1000
	kept := make([]*exchange, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range kept {
		kept[i] = new(exchange)
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	// A little slack for whatever else the test binary allocates
	// meanwhile; the next class up would add 128 bytes per exchange.
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per < exchangeClass || per >= exchangeClass+64 {
		t.Errorf("an exchange takes %d bytes of heap, want the %d-byte class: headRoom (%d) is off", per, exchangeClass, headRoom)
	}
}

// TestRequestAllocs pins what a kept-alive request costs chapter 9 once
// its connection is warm: the exchange (with the head and the context in
// it) and the header map, which is two allocations in Go's runtime (its
// header and one group of 8 slots). A handler may keep the request, its
// header map and its strings, so none of the three can be reused.
func TestRequestAllocs(t *testing.T) {
	raw := "GET /items/42?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
	hc := conns{}.NewConn(context.Background(), &repeatConn{request: raw}, ch02.Limits{}, nil)
	body, contentType := []byte("Hello, World!"), []string{"text/plain"} // the handler's, made once
	allocs := testing.AllocsPerRun(100, func() {
		pr, err := hc.ReadRequest()
		if err != nil {
			t.Fatal(err)
		}
		r, w, err := hc.NewRequest(pr, true)
		if err != nil {
			t.Fatal(err)
		}
		w.Header()["Content-Type"] = contentType
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := w.Finish(); err != nil || r.Method != "GET" {
			t.Fatal(err)
		}
	})
	if allocs != 3 {
		t.Errorf("a kept-alive request allocates %v times, want 3", allocs)
	}
}
