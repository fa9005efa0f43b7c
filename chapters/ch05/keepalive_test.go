package ch05

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
)

// parse reads raw with chapter 2's parser.
func parse(t *testing.T, raw string) *ch02.Request {
	t.Helper()
	pr, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("ch02.ReadRequest(%q) = %v", raw, err)
	}
	return pr
}

// TestKeepAlive checks the decision over raw requests: what the version
// and the Connection field ask for (RFC 9112 section 9.3), and every
// reason the server or the response has to close anyway.
func TestKeepAlive(t *testing.T) {
	const (
		get11 = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
		get10 = "GET / HTTP/1.0\r\n\r\n"
	)
	tests := []struct {
		name string
		raw  string
		p    persistence // clientClose is filled from raw
		want bool
	}{
		{"HTTP/1.1 persists by default", get11, persistence{}, true},
		{"HTTP/1.1 Connection: close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", persistence{}, false},
		{"HTTP/1.1 close in any case", "GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n", persistence{}, false},
		{"HTTP/1.1 close among other options", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", persistence{}, false},
		{"HTTP/1.1 close in a second field", "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nConnection: close\r\n\r\n", persistence{}, false},
		{"HTTP/1.1 unrelated option", "GET / HTTP/1.1\r\nHost: a\r\nConnection: x-closed\r\n\r\n", persistence{}, true},
		{"HTTP/1.1 keep-alive is the default anyway", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", persistence{}, true},
		{"HTTP/1.0 closes by default", get10, persistence{}, false},
		{"HTTP/1.0 Connection: keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", persistence{}, true},
		{"HTTP/1.0 Keep-Alive in any case", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", persistence{}, true},
		{"HTTP/1.0 keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", persistence{}, false},
		{"HTTP/1.2 is served as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", persistence{}, true},
		{"the response says close", get11, persistence{responseClose: true}, false},
		{"HTTP/1.0 keep-alive, response must close", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", persistence{responseClose: true}, false},
		{"body left unread", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", persistence{bodyLeft: true}, false},
		{"keep-alives disabled", get11, persistence{disabled: true}, false},
		{"below the request limit", get11, persistence{served: 2, max: 3}, true},
		{"the last request allowed", get11, persistence{served: 3, max: 3}, false},
		{"no request limit", get11, persistence{served: 1_000_000}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ch04.NewRequest(context.Background(), parse(t, tt.raw), "192.0.2.1:1234")
			if err != nil {
				t.Fatal(err)
			}
			p := tt.p
			p.clientClose = r.Close
			if got := keepAlive(p); got != tt.want {
				t.Errorf("keepAlive(%q, %+v) = %v, want %v", tt.raw, tt.p, got, tt.want)
			}
		})
	}
}

func TestExpectation(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want expectation
	}{
		{"none", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n", expectNothing},
		{"100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", expectContinue},
		{"100-continue in any case", "POST / HTTP/1.1\r\nHost: a\r\nexpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", expectContinue},
		{"100-continue, chunked", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n", expectContinue},
		{"100-continue without content", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", expectNothing},
		{"100-continue with Content-Length: 0", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", expectNothing},
		{"100-continue from HTTP/1.0 is ignored", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", expectNothing},
		{"empty value", "POST / HTTP/1.1\r\nHost: a\r\nExpect: \r\nContent-Length: 1\r\n\r\n", expectNothing},
		{"unknown", "POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n", expectUnknown},
		{"unknown without content", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", expectUnknown},
		{"unknown from HTTP/1.0", "GET / HTTP/1.0\r\nExpect: foo\r\n\r\n", expectUnknown},
		{"100-continue with a parameter", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue;x=1\r\nContent-Length: 1\r\n\r\n", expectUnknown},
		{"100-continue and another", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, foo\r\nContent-Length: 1\r\n\r\n", expectUnknown},
		{"another in a second field", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nExpect: foo\r\nContent-Length: 1\r\n\r\n", expectUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expectationOf(parse(t, tt.raw)); got != tt.want {
				t.Errorf("expectationOf(%q) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}
