package demo

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/httpfromscratch/course/internal/testkit"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newServer starts h on a net/http server on 127.0.0.1 and returns it with
// the buffer its error log writes to. The server closes when the test ends.
func newServer(t *testing.T, h http.Handler) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := new(syncBuffer)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(logs, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, logs
}

// dial opens a raw TCP connection to srv, closed when the test ends; every
// read and write on it fails after waitBound rather than hanging.
func dial(t *testing.T, srv *httptest.Server) net.Conn {
	t.Helper()
	return testkit.Dial(t, srv.Listener.Addr().String(), waitBound)
}

// exchange writes raw to a new connection and returns every byte the
// server sends until it closes the connection.
func exchange(t *testing.T, srv *httptest.Server, raw string) string {
	t.Helper()
	c := dial(t, srv)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply to %q: %v (read %q)", raw, err, got)
	}
	return string(got)
}

var dateLine = regexp.MustCompile(`\r\nDate: [^\r]*\r\n`)

// maskDate replaces the Date field's value, the one part of a reply that
// changes from run to run.
func maskDate(s string) string {
	return dateLine.ReplaceAllString(s, "\r\nDate: <date>\r\n")
}

// TestWire checks, byte for byte, what a net/http server sends for the demo
// app: this is the wire format the course's own servers are compared with.
func TestWire(t *testing.T) {
	pinPID(t, 4242)
	srv, _ := newServer(t, New())
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"hello",
			"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\nHello, World!"},
		{"hello HEAD", "HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n"},
		{"hello PUT", "PUT / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
			"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 23\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n405 method not allowed\n"},
		{"not found", "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n404 page not found\n"},
		// One chunk per flushed line (RFC 9112 section 7.1): without the
		// flushes net/http would buffer the lines and send a Content-Length.
		{"stream", "GET /stream?n=3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nline 1\n\r\n7\r\nline 2\n\r\n7\r\nline 3\n\r\n0\r\n\r\n"},
		{"stream n=0", "GET /stream?n=0 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
		{"stream two digits", "GET /stream?n=10 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nline 1\n\r\n7\r\nline 2\n\r\n7\r\nline 3\n\r\n7\r\nline 4\n\r\n7\r\nline 5\n\r\n7\r\nline 6\n\r\n7\r\nline 7\n\r\n7\r\nline 8\n\r\n7\r\nline 9\n\r\n8\r\nline 10\n\r\n0\r\n\r\n"},
		// HTTP/1.0 has no chunked coding: net/http ends the body by closing
		// the connection instead (RFC 9112 section 6.3, rule 8).
		{"stream HTTP/1.0", "GET /stream?n=2 HTTP/1.0\r\n\r\n",
			"HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\n\r\nline 1\nline 2\n"},
		{"stream HEAD", "HEAD /stream?n=2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n"},
		{"status 404", "GET /status/404 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\nNot Found"},
		// net/http sends a 1xx as an interim response, then its own final
		// 200 once the handler returns without another WriteHeader.
		{"status 100", "GET /status/100 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{"status 204", "GET /status/204 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 204 No Content\r\nDate: <date>\r\nConnection: close\r\n\r\n"},
		{"status 205", "GET /status/205 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\nDate: <date>\r\nConnection: close\r\n\r\n"},
		{"status 304", "GET /status/304 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 304 Not Modified\r\nDate: <date>\r\nConnection: close\r\n\r\n"},
		{"status 599", "GET /status/599 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 599 status code 599\r\nContent-Length: 15\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\nstatus code 599"},
		{"pid", "GET /pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n4242\n"},
		{"sleep", "GET /sleep?ms=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\nslept 1 ms"},
		// The handler sees the chunks joined (the extension ignored), the
		// header names canonical, repeated fields as one list in order,
		// Host and Transfer-Encoding moved out of the header map.
		{"echo chunked, repeated headers",
			"POST /echo?q=1 HTTP/1.1\r\nHost: example.test:8080\r\nx-rep: a\r\nX-Rep: b\r\nUser-Agent: raw\r\n" +
				"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 177\r\nContent-Type: application/json\r\nDate: <date>\r\nConnection: close\r\n\r\n{\"method\":\"POST\",\"uri\":\"/echo?q=1\",\"proto\":\"HTTP/1.1\",\"host\":\"example.test:8080\",\"headers\":{\"Connection\":[\"close\"],\"User-Agent\":[\"raw\"],\"X-Rep\":[\"a\",\"b\"]},\"body\":\"hello world\"}\n"},
		// A body the server cannot decode reaches the handler as a read
		// error; net/http then closes the connection after the reply.
		{"echo bad chunk size",
			"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
			"HTTP/1.1 400 Bad Request\r\nContent-Length: 34\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n400 bad request: cannot read body\n"},
		{"upload bad chunk end",
			"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
			"HTTP/1.1 400 Bad Request\r\nContent-Length: 34\r\nContent-Type: text/plain; charset=utf-8\r\nDate: <date>\r\nConnection: close\r\n\r\n400 bad request: cannot read body\n"},
		{"upload chunked",
			"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 88\r\nContent-Type: application/json\r\nDate: <date>\r\nConnection: close\r\n\r\n{\"bytes\":5,\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maskDate(exchange(t, srv, tt.raw)); got != tt.want {
				t.Errorf("exchange(%q) =\n%q\nwant\n%q", tt.raw, got, tt.want)
			}
		})
	}
}
