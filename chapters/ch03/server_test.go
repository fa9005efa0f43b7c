package ch03

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/testkit"
)

// ioTimeout bounds every read and write a test makes, so a server that
// forgets to close fails the test instead of hanging it.
const ioTimeout = 5 * time.Second

// startServer serves h on a 127.0.0.1 listener until the test ends, and
// returns its address.
func startServer(t *testing.T, lim ch02.Limits) string {
	t.Helper()
	ln := testkit.Listen(t)
	testkit.Serve(t, &ch01.Server{Handler: &Handler{Limits: lim, Logf: t.Logf}}, ln, ch01.ErrServerClosed)
	return ln.Addr().String()
}

// dial connects to addr with a deadline on every operation.
func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	return testkit.Dial(t, addr, ioTimeout).(*net.TCPConn)
}

var dateLine = regexp.MustCompile(`(?m)^Date: (.*)\r$`)

// roundTrip sends raw on a new connection and reads until the server
// closes it: reaching EOF within ioTimeout is what proves the server
// closed. It checks the Date is an IMF-fixdate and returns the reply with
// the date replaced by <date>.
func roundTrip(t *testing.T, addr, raw string) string {
	t.Helper()
	c := dial(t, addr)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatalf("write %q: %v", raw, err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply to %q until close: %v (got %q)", raw, err, got)
	}
	return maskDate(t, string(got))
}

// maskDate replaces the Date value by <date>, after checking it parses.
func maskDate(t *testing.T, reply string) string {
	t.Helper()
	m := dateLine.FindStringSubmatch(reply)
	if m == nil {
		t.Errorf("reply %q has no Date", reply)
		return reply
	}
	if _, err := time.Parse(http.TimeFormat, m[1]); err != nil {
		t.Errorf("Date %q is not an IMF-fixdate: %v", m[1], err)
	}
	return dateLine.ReplaceAllString(reply, "Date: <date>\r")
}

// reply builds an expected response with a masked Date.
func reply(status, fields, body string) string {
	return "HTTP/1.1 " + status + "\r\nDate: <date>\r\n" + fields + "\r\n" + body
}

const (
	textFields  = "Content-Type: text/plain; charset=utf-8\r\n"
	helloFields = textFields + "Content-Length: 13\r\nConnection: close\r\n"
)

func TestServerRoutes(t *testing.T) {
	addr := startServer(t, ch02.Limits{})
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"GET /", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
		{"HEAD / has GET's headers and no body", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "")},
		{"HTTP/1.0 gets an HTTP/1.1 status line", "GET / HTTP/1.0\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
		{"query ignored", "GET /?name=x HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
		{"absolute-form", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
		{"absolute-form with empty path", "GET http://a HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
		{"POST / is 405", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
			reply("405 Method Not Allowed", textFields+"Content-Length: 19\r\nConnection: close\r\nAllow: GET, HEAD\r\n", "Method Not Allowed\n")},
		{"unknown method on / is 405", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("405 Method Not Allowed", textFields+"Content-Length: 19\r\nConnection: close\r\nAllow: GET, HEAD\r\n", "Method Not Allowed\n")},
		{"lowercase get is another method", "get / HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("405 Method Not Allowed", textFields+"Content-Length: 19\r\nConnection: close\r\nAllow: GET, HEAD\r\n", "Method Not Allowed\n")},
		{"other path is 404", "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("404 Not Found", textFields+"Content-Length: 10\r\nConnection: close\r\n", "Not Found\n")},
		{"other path with POST is 404", "POST /missing HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
			reply("404 Not Found", textFields+"Content-Length: 10\r\nConnection: close\r\n", "Not Found\n")},
		{"HEAD of a missing path", "HEAD /missing HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("404 Not Found", textFields+"Content-Length: 10\r\nConnection: close\r\n", "")},
		{"asterisk-form has no path", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("404 Not Found", textFields+"Content-Length: 10\r\nConnection: close\r\n", "Not Found\n")},
		{"chunked body read before answering", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			reply("405 Method Not Allowed", textFields+"Content-Length: 19\r\nConnection: close\r\nAllow: GET, HEAD\r\n", "Method Not Allowed\n")},
		{"second request on the connection is not answered", "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /missing HTTP/1.1\r\nHost: a\r\n\r\n",
			reply("200 OK", helloFields, "Hello, World!")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundTrip(t, addr, tt.raw); got != tt.want {
				t.Errorf("serve(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestServerRejects(t *testing.T) {
	addr := startServer(t, ch02.Limits{MaxRequestLine: 64, MaxHeaderBytes: 256, MaxBodyBytes: 16})
	tests := []struct {
		name string
		raw  string
		code int
	}{
		{"malformed request-line", "GARBAGE\r\n\r\n", 400},
		{"bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400},
		{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"header injection attempt", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
		{"truncated head", "GET / HTTP/1.1\r\nHost: a\r\n", 400},
		{"malformed chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"Content-Length over the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n", 413},
		{"chunked body over the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" + strings.Repeat("x", 17) + "\r\n0\r\n\r\n", 413},
		{"request-line too long", "GET /" + strings.Repeat("a", 64) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
		{"header section too large", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 256) + "\r\n\r\n", 431},
		{"unsupported transfer coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"HTTP/2.0 in HTTP/1 framing", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
		{"HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", 505},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			io.WriteString(c, tt.raw)
			c.CloseWrite() // so a truncated request ends in EOF, not a hang
			raw, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("reading the reply to %q until close: %v (got %q)", tt.raw, err, raw)
			}
			maskDate(t, string(raw))
			// The body names the cause in ch02's words; check the frame
			// and the status with net/http's client, not the wording.
			got, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
			if err != nil {
				t.Fatalf("serve(%q) = %q: not a response: %v", tt.raw, raw, err)
			}
			body, err := io.ReadAll(got.Body)
			reason := http.StatusText(tt.code)
			if err != nil || got.StatusCode != tt.code || !got.Close ||
				got.Header.Get("Content-Type") != DefaultContentType ||
				got.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(string(body), reason+": ch02: ") || !strings.HasSuffix(string(body), "\n") {
				t.Errorf("serve(%q) = %q, want a %d %s that closes, with a text body", tt.raw, raw, tt.code, reason)
			}
		})
	}
}

// TestServerClosedBeforeRequest: a client that connects and leaves without
// a byte gets no answer, only the close.
func TestServerClosedBeforeRequest(t *testing.T) {
	addr := startServer(t, ch02.Limits{})
	c := dial(t, addr)
	c.CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || len(got) != 0 {
		t.Errorf("reply to an empty connection = %q, %v, want nothing and EOF", got, err)
	}
}

// TestServerRejectsWhileClientSends: the client is still sending a body
// the server refused (413). The server's lingering close reads and drops
// it, so the kernel sends no reset that could destroy the 413 before the
// client reads it.
func TestServerRejectsWhileClientSends(t *testing.T) {
	addr := startServer(t, ch02.Limits{MaxBodyBytes: 16})
	const size = 128 << 10 // 128 KiB, under the 256 KiB ch02.LingerClose drains
	c := dial(t, addr)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
		for range size / 1024 {
			if _, err := c.Write(make([]byte, 1024)); err != nil {
				return // the server may close once it has drained for its 500 ms
			}
		}
	}()
	got, err := io.ReadAll(c)
	<-sent
	if err != nil {
		t.Fatalf("reading the 413 while sending the body: %v (got %q)", err, got)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 413 ") {
		t.Errorf("reply to an oversized body = %q, want a 413", got)
	}
}

func TestRequestPath(t *testing.T) {
	tests := []struct{ target, want string }{
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/?q=1", "/"},
		{"/a?q=/b", "/a"},
		{"http://example.com/a?q", "/a"},
		{"http://example.com", "/"},
		{"http://example.com?q=1", "/"},
		{"HTTPS://example.com:8443/", "/"},
		{"example.com:443", "example.com:443"}, // authority-form (CONNECT)
		{"*", "*"},                             // asterisk-form (OPTIONS)
	}
	for _, tt := range tests {
		if got := requestPath(tt.target); got != tt.want {
			t.Errorf("requestPath(%q) = %q, want %q", tt.target, got, tt.want)
		}
	}
}
