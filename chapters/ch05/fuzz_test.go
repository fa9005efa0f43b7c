package ch05_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
)

// memConn is an in-memory connection: reads come from in, then EOF;
// writes collect in out. Deadlines are accepted and ignored.
type memConn struct {
	in     *bytes.Reader
	mu     sync.Mutex
	out    bytes.Buffer
	closed bool
}

var (
	memLocal  = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	memRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54321}
)

func (c *memConn) Read(p []byte) (int, error) { return c.in.Read(p) }
func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.out.Write(p)
}
func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
func (c *memConn) LocalAddr() net.Addr                { return memLocal }
func (c *memConn) RemoteAddr() net.Addr               { return memRemote }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// fuzzHandler treats the body and the connection in a different way for
// each path: every way a handler can leave the loop something to clean
// up.
func fuzzHandler(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/") {
	case "read": // the whole body
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Read", "yes")
		io.WriteString(w, strings.Repeat("r", int(n%100)))
	case "one": // one byte of it, then close it
		r.Body.Read(make([]byte, 1))
		r.Body.Close()
	case "deny": // a status first, then the body after all
		w.WriteHeader(http.StatusUnauthorized)
		io.Copy(io.Discard, r.Body)
	case "stream": // chunked, flushed
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	case "close":
		w.Header().Set("Connection", "close")
	case "short": // less than the Content-Length it declares
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "abc")
	case "panic":
		panic("fuzz")
	default: // the body is ignored
		io.WriteString(w, "hello")
	}
}

// FuzzServeConn feeds arbitrary bytes to one connection, as if a client
// had sent them all at once, several requests pipelined: the loop must
// finish (the input ends in EOF), not panic, and write nothing but HTTP
// responses.
func FuzzServeConn(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /one HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: x\r\n\r\nGET /short HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /deny HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nokGET /close HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nExpect: nope\r\n\r\n",
		"GET /panic HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	srv := &ch05.Server{Handler: http.HandlerFunc(fuzzHandler), MaxDrainBytes: 64, MaxRequestsPerConn: 8}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &memConn{in: bytes.NewReader(in)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.ServeConn(c)
		}()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Fatalf("ServeConn(%q) has not returned after %v", in, testTimeout)
		}
		if out := c.out.Bytes(); len(out) > 0 && !bytes.HasPrefix(out, []byte("HTTP/1.1 ")) {
			t.Errorf("ServeConn(%q) wrote %q, not a response", in, out)
		}
		if !c.closed {
			t.Errorf("ServeConn(%q) returned without closing the connection", in)
		}
	})
}
