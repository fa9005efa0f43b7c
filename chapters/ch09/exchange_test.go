package ch09

import (
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
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

// The addresses, made once: a net.TCPConn's methods return the ones it
// holds, without allocating.
var (
	repeatRemote net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}
	repeatLocal  net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 80}
)

func (c *repeatConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *repeatConn) RemoteAddr() net.Addr        { return repeatRemote }
func (c *repeatConn) LocalAddr() net.Addr         { return repeatLocal }

// SetReadDeadline does nothing: the client never makes a read wait.
func (c *repeatConn) SetReadDeadline(time.Time) error { return nil }

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
	if headRoom < 80 {
		t.Errorf("headRoom = %d bytes: chapter 4's Exchange grew, and exchangeClass should be the next size class up", headRoom)
	}
	if size := unsafe.Sizeof(exchange{}); size != exchangeClass-mallocHeader {
		t.Errorf("an exchange is %d bytes, want exchangeClass less the malloc header, %d", size, exchangeClass-mallocHeader)
	}
	small := "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n"
	fill := func(n int) string { // a head of exactly n bytes
		const frame = "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: \r\n\r\n"
		return "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + strings.Repeat("x", n-len(frame)) + "\r\n\r\n"
	}
	for _, tc := range []struct {
		raw    string
		inRoom bool
	}{
		{small, true},
		// 489 bytes: too long on a 64-bit machine, not on a 32-bit one.
		{parsertest.BrowserGET, len(parsertest.BrowserGET) <= int(headRoom)},
		{fill(int(headRoom)), true},
		{fill(int(headRoom) + 1), false},
	} {
		hc := new(conns).NewConn(context.Background(), &repeatConn{request: tc.raw}, ch02.Limits{}, nil)
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

// TestKeptStringKeepsOnlyItsRequest keeps one header value of each of
// 1,000 requests, each on a connection of its own that then closes, and
// weighs what stays in use per kept value. The value lives in its
// request's exchange, so the exchange stays, and what it still points at:
// the request's header map. Not the connection's buffers, parser or
// reader, which the exchange let go of when the response finished; not
// even the 16 KiB parser buffer a large head before it grew.
func TestKeptStringKeepsOnlyItsRequest(t *testing.T) {
	const n = 1000
	get := "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: x/y\r\n\r\n"
	post := "POST /a HTTP/1.1\r\nHost: example.com\r\nAccept: x/y\r\nContent-Length: 5\r\n\r\nhello"
	large := "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 15000) + "\r\n\r\n"
	for _, tc := range []struct {
		name       string
		requests   []string // on one connection; a value of the last is kept
		askContext bool     // build the watch on the client, as a handler waiting on Done does
		leaveBody  bool     // the handler returns without reading the body
		limit      int64    // bytes per kept value
	}{
		{"one request", []string{get}, false, false, 1800},
		{"after a 15 KB head", []string{large, get}, false, false, 1800},
		{"with its body read", []string{large, post}, false, false, 1800},
		{"with its body unread", []string{large, post}, false, true, 1800},
		// The watch adds its cancellable context and channel.
		{"with its context asked for", []string{large, get}, true, false, 2560},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := make([]string, 0, n)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range n {
				hc := new(conns).NewConn(context.Background(), &repeatConn{request: strings.Join(tc.requests, "")}, ch02.Limits{}, nil)
				var r *http.Request
				for range tc.requests {
					pr, err := hc.ReadRequest()
					if err != nil {
						t.Fatal(err)
					}
					var w *ch04.Response
					if r, w, err = hc.NewRequest(pr, true); err != nil {
						t.Fatal(err)
					}
					if !tc.leaveBody {
						if _, err := io.Copy(io.Discard, r.Body); err != nil {
							t.Fatal(err)
						}
					}
					if tc.askContext {
						_ = r.Context().Done()
					}
					if err := w.Finish(); err != nil {
						t.Fatal(err)
					}
				}
				kept = append(kept, r.Header.Get("Accept"))
				new(conns).Done(hc)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(kept)
			per := int64(after.HeapAlloc-before.HeapAlloc) / n
			t.Logf("%d bytes in use per kept value", per)
			if per > tc.limit {
				t.Errorf("kept values hold %d bytes each, want at most %d: an exchange, its header map and no more", per, tc.limit)
			}
		})
	}
}

// TestRequestAllocs pins what a kept-alive request costs chapter 9 once
// its connection is warm: the exchange (with the head and the context in
// it) and the header map, which is two allocations in Go's runtime (its
// header and one group of 8 slots); two when Host is the only field, as
// in wrk's requests, since the map then never gets its slots. A handler
// may keep the request, its header map and its strings, so none of them
// can be reused.
func TestRequestAllocs(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      float64
	}{
		// The exchange, and the header map with the group of slots Go's
		// runtime gives it at its first field.
		{"with a header field", "GET /items/42?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n", 3},
		// Host goes to r.Host, not the map, which then never gets its
		// slots: wrk's requests, for one.
		{"Host alone", "GET /items/42?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := new(conns).NewConn(context.Background(), &repeatConn{request: tc.raw}, ch02.Limits{}, nil)
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
			if allocs != tc.want {
				t.Errorf("a kept-alive request allocates %v times, want %v", allocs, tc.want)
			}
		})
	}
}

// TestExchangeGoesToItsRequest reads a good request, then a bad one, on
// one connection: the good one's exchange goes to chapter 4 with it and
// is not kept after; the bad one gets none, and leaves the good one's
// strings as they were.
func TestExchangeGoesToItsRequest(t *testing.T) {
	good := "GET /good HTTP/1.1\r\nHost: a\r\n\r\n"
	bad := "GET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" // two Hosts: 400
	hc := new(conns).NewConn(context.Background(), &repeatConn{request: good + bad}, ch02.Limits{}, nil)
	st := hc.Parser.(*connState)
	pr, err := hc.ReadRequest()
	if err != nil {
		t.Fatal(err)
	}
	x := st.next
	r, w, err := hc.NewRequest(pr, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.next != nil {
		t.Error("the connection still holds the exchange it handed to chapter 4")
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := hc.ReadRequest(); ch02.StatusCode(err) != http.StatusBadRequest {
		t.Fatalf("second request: %v, want a 400", err)
	}
	if st.next != nil {
		t.Error("a refused request left an exchange for the next NewRequest")
	}
	if r.URL.Path != "/good" || r.Host != "a" || !inRoom(r.RequestURI, x) {
		t.Errorf("the first request now says %s %s (in its exchange: %v)", r.Host, r.URL.Path, inRoom(r.RequestURI, x))
	}
}
