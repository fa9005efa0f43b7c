package ch02_test

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/testkit"
)

// startServer runs a ch02 server on a free loopback port until the test
// ends, and returns its address.
func startServer(t *testing.T, lim ch02.Limits) string {
	t.Helper()
	ln := testkit.Listen(t)
	testkit.Serve(t, ch02.NewServer("", lim, t.Logf), ln, ch01.ErrServerClosed)
	return ln.Addr().String()
}

// roundTrip sends req on a new connection, half-closes, and reads until
// the server closes it.
func roundTrip(t *testing.T, addr, req string) string {
	t.Helper()
	c := testkit.Dial(t, addr, testkit.WaitBound)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite() // done sending: an empty request is an idle close
	reply, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply to %q: %v (got %q)", req, err, reply)
	}
	return string(reply)
}

// ok is the 200 reply carrying dump.
func ok(dump string) string {
	return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(dump)+1) + "\r\nConnection: close\r\n\r\n" + dump + "\n"
}

func TestServer(t *testing.T) {
	addr := startServer(t, ch02.Limits{MaxBodyBytes: 10})
	cases := []struct {
		name, in, want string
	}{
		{"dump", "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n",
			ok(`{"method":"GET","target":"/a?b=1","version":"HTTP/1.1","headers":[["Host","x"],["Accept","*/*"]],"body":""}`)},
		{"chunked body decoded", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\n<a>\r\n0\r\nT: 1\r\n\r\n",
			ok(`{"method":"POST","target":"/","version":"HTTP/1.1","headers":[["Host","x"],["Transfer-Encoding","chunked"]],"body":"<a>"}`)},
		{"400", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
		{"413 by Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890", "HTTP/1.1 413 Content Too Large\r\n"},
		{"413 by chunks", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n",
			"HTTP/1.1 413 Content Too Large\r\n"},
		{"414", "GET /" + strings.Repeat("a", ch02.DefaultMaxRequestLine) + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 URI Too Long\r\n"},
		{"431", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: b\r\n", 100) + "\r\n", "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
		{"501", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
		{"505", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
		{"closed before a request", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := roundTrip(t, addr, tc.in)
			if !strings.HasPrefix(got, tc.want) || tc.want == "" && got != "" {
				t.Errorf("reply to %q = %q, want %q", tc.in, got, tc.want)
			}
			if strings.HasPrefix(tc.want, "HTTP/1.1 4") || strings.HasPrefix(tc.want, "HTTP/1.1 5") {
				if !strings.Contains(got, "\r\nConnection: close\r\n") || !strings.Contains(got, "text/plain") {
					t.Errorf("error reply to %q = %q, want text/plain and Connection: close", tc.in, got)
				}
			}
		})
	}
}

// TestServerRejectsWhileClientSends checks the lingering close: the server
// answers 414 while the client is still sending a huge request-line, and
// the client still gets the answer (closing with unread bytes would send
// RST, which can destroy the reply before the client reads it).
func TestServerRejectsWhileClientSends(t *testing.T) {
	addr := startServer(t, ch02.Limits{})
	c := testkit.Dial(t, addr, testkit.WaitBound)
	go func() {
		// 64 KiB more than the limit; the server stops reading at 8 KiB.
		io.WriteString(c, "GET /"+strings.Repeat("a", 72<<10))
	}()
	reply, err := io.ReadAll(c)
	if !strings.HasPrefix(string(reply), "HTTP/1.1 414 ") {
		t.Errorf("reply to a 72 KiB request-line = %q, %v; want 414", reply, err)
	}
}
