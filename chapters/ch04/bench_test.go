package ch04_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/demo"
)

// helloRequest is what the benchmarks send: GET / as a client that wants
// the connection closed after the response. Saying so makes net/http
// close after one response too, as ch04 always does, instead of reading
// for a second request; both servers then do the same work.
const helloRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\nConnection: close\r\n\r\n"

// fakeConn is an in-memory connection: reads come from the request bytes,
// then EOF; writes are counted (or kept, when out is set); Close reports
// to done. Deadlines are accepted and ignored. It keeps the network out of
// the measurement, so what is left is the server's own work.
type fakeConn struct {
	r       strings.Reader
	out     *bytes.Buffer
	written int
	once    sync.Once
	done    func()
}

var (
	fakeLocal  = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	fakeRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54321}
)

func newFakeConn(req string, done func()) *fakeConn {
	c := &fakeConn{done: done}
	c.r.Reset(req)
	return c
}

func (c *fakeConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *fakeConn) Write(p []byte) (int, error) {
	c.written += len(p)
	if c.out != nil {
		c.out.Write(p)
	}
	return len(p), nil
}
func (c *fakeConn) Close() error {
	c.once.Do(func() {
		if c.done != nil {
			c.done()
		}
	})
	return nil
}
func (c *fakeConn) LocalAddr() net.Addr                { return fakeLocal }
func (c *fakeConn) RemoteAddr() net.Addr               { return fakeRemote }
func (c *fakeConn) SetDeadline(t time.Time) error      { return nil }
func (c *fakeConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(t time.Time) error { return nil }

// fakeListener hands out the connections sent on its channel.
type fakeListener struct {
	conns     chan net.Conn
	closeOnce sync.Once
}

func newFakeListener() *fakeListener { return &fakeListener{conns: make(chan net.Conn)} }

func (l *fakeListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (l *fakeListener) Close() error   { l.closeOnce.Do(func() { close(l.conns) }); return nil }
func (l *fakeListener) Addr() net.Addr { return fakeLocal }

// benchServe runs b.N connections, each carrying helloRequest, through a
// server's accept loop on a fakeListener: accept, a goroutine per
// connection, parse, the demo handler, the response, close. serve starts
// the server on the listener and returns a function that stops it.
func benchServe(b *testing.B, serve func(ln net.Listener) (stop func())) {
	// Check once that the server really answers before timing it.
	ln := newFakeListener()
	stop := serve(ln)
	var wg sync.WaitGroup
	wg.Add(1)
	probe := newFakeConn(helloRequest, wg.Done)
	probe.out = new(bytes.Buffer)
	ln.conns <- probe
	wg.Wait()
	if !bytes.HasPrefix(probe.out.Bytes(), []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(probe.out.Bytes(), []byte("\r\n\r\nHello, World!")) {
		b.Fatalf("the server answered %q", probe.out)
	}
	b.SetBytes(int64(len(helloRequest) + probe.written))

	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		wg.Add(1)
		ln.conns <- newFakeConn(helloRequest, wg.Done)
	}
	wg.Wait()
	b.StopTimer()
	stop()
}

// BenchmarkServeHello: GET / of the demo app through ch04's Server,
// request bytes in, response bytes out, in memory.
func BenchmarkServeHello(b *testing.B) {
	benchServe(b, func(ln net.Listener) func() {
		srv := &ch04.Server{Handler: demo.New(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		return func() { srv.Close() }
	})
}

// BenchmarkServeHelloNetHTTP: the same connections through net/http's
// Server, with the same handler, the same accept-loop shape (a goroutine
// per connection) and the same header timeout (one deadline set per
// request in both).
func BenchmarkServeHelloNetHTTP(b *testing.B) {
	benchServe(b, func(ln net.Listener) func() {
		srv := &http.Server{Handler: demo.New(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		return func() { srv.Close() }
	})
}

// BenchmarkServeConnHello: the bridge alone, without the accept loop and
// its goroutine: ServeConn on one in-memory connection after another.
func BenchmarkServeConnHello(b *testing.B) {
	srv := &ch04.Server{Handler: demo.New()}
	b.ReportAllocs()
	for range b.N {
		srv.ServeConn(newFakeConn(helloRequest, nil))
	}
}

// BenchmarkServeStream: GET /stream?n=10, ten flushed chunks, through
// ServeConn: the chunked path.
func BenchmarkServeStream(b *testing.B) {
	const req = "GET /stream?n=10 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	srv := &ch04.Server{Handler: demo.New()}
	b.ReportAllocs()
	for range b.N {
		srv.ServeConn(newFakeConn(req, nil))
	}
}

var _ io.Reader = (*fakeConn)(nil)
