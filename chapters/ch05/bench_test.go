package ch05_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/internal/testkit"
)

// helloRequest is what the benchmarks send: the demo's GET /, as a client
// that keeps its connection.
const helloRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

// serveFunc starts a server on ln and returns a function that stops it.
type serveFunc func(ln net.Listener) (stop func())

func serveCh05(ln net.Listener) func() {
	s := &ch05.Server{Handler: demo.New()}
	go s.Serve(ln)
	return func() { s.Close() }
}

// serveNetHTTP is net/http's Server with the same handler and the same
// timeouts, so both set the same deadlines per request.
func serveNetHTTP(ln net.Listener) func() {
	s := &http.Server{Handler: demo.New(), ReadHeaderTimeout: ch05.DefaultReadHeaderTimeout, IdleTimeout: ch05.DefaultIdleTimeout}
	go s.Serve(ln)
	return func() { s.Close() }
}

// benchConn dials a server started by serve on a loopback port and
// returns the connection and the exact length of the response to
// helloRequest (constant: the Date field always has the same length).
func benchConn(b *testing.B, serve serveFunc) (net.Conn, int) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(serve(ln))
	return testkit.DialHello(b, ln.Addr().String(), helloRequest)
}

// benchKeepAlive sends GET / again and again on one persistent loopback
// connection, waiting for each response before the next request, as a
// browser or an HTTP/1.1 client pool does. The client allocates nothing,
// so allocs/op is the server's.
func benchKeepAlive(b *testing.B, serve serveFunc) {
	c, n := benchConn(b, serve)
	b.SetBytes(int64(len(helloRequest) + n))
	buf := testkit.PingPong(b, c, helloRequest, n)
	if !bytes.HasSuffix(buf, []byte("\r\n\r\nHello, World!")) {
		b.Fatalf("last response %q", buf)
	}
}

// BenchmarkKeepAlive: the demo's GET / through ch05, request after request
// on one loopback connection.
func BenchmarkKeepAlive(b *testing.B) { benchKeepAlive(b, serveCh05) }

// BenchmarkKeepAliveNetHTTP: the same client and handler through
// net/http's Server.
func BenchmarkKeepAliveNetHTTP(b *testing.B) { benchKeepAlive(b, serveNetHTTP) }

// pipelineDepth is how many requests the pipelining benchmarks send in
// one write.
const pipelineDepth = 16

// benchPipelined sends pipelineDepth requests in one write and reads
// their responses, then again: where ch05 batches the responses into one
// write, net/http writes each.
func benchPipelined(b *testing.B, serve serveFunc) {
	c, n := benchConn(b, serve)
	reqs := []byte(strings.Repeat(helloRequest, pipelineDepth))
	buf := make([]byte, n*pipelineDepth)
	b.SetBytes(int64(len(helloRequest) + n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += pipelineDepth {
		k := min(pipelineDepth, b.N-i)
		if _, err := c.Write(reqs[:k*len(helloRequest)]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:k*n]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkPipelined: 16 pipelined GET / per write through ch05; op is one
// request.
func BenchmarkPipelined(b *testing.B) { benchPipelined(b, serveCh05) }

// BenchmarkPipelinedNetHTTP: the same through net/http.
func BenchmarkPipelinedNetHTTP(b *testing.B) { benchPipelined(b, serveNetHTTP) }

// idleConns is how many idle connections BenchmarkIdleConn holds.
const idleConns = 1000

// holdServer accepts connections and keeps them, with no goroutine and no
// buffer per connection: what is left is the sockets themselves, on both
// ends, and the client's side. It is the floor the other servers are
// measured against.
type holdServer struct {
	mu   sync.Mutex
	held []net.Conn
}

func (h *holdServer) serve(ln net.Listener) func() {
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.held = append(h.held, c)
			h.mu.Unlock()
		}
	}()
	return func() {
		ln.Close()
		h.release()
	}
}

// release closes the connections held so far.
func (h *holdServer) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.held {
		c.Close()
	}
	h.held = nil
}

// inUse returns the heap and stack memory in use after a full collection
// (two, so that sync.Pools are emptied too).
func inUse() (heap, stack uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, ms.StackInuse
}

// benchIdle opens idleConns connections, sends GET / on each (unless
// request is false) and reads the response, so each server goroutine has
// run a handler and sits idle waiting for the next request. It reports
// the heap and stack in use per connection, for the client and server
// sides together. after, if not nil, runs once the connections are
// closed.
func benchIdle(b *testing.B, serve serveFunc, request bool, after func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	stop := serve(ln)
	defer stop()
	addr := ln.Addr().String()
	buf := make([]byte, 4<<10)
	var heap, stack float64
	for range b.N {
		heap0, stack0 := inUse()
		conns := make([]net.Conn, 0, idleConns)
		for range idleConns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			if !request {
				continue
			}
			io.WriteString(c, helloRequest)
			for got := 0; !bytes.HasSuffix(buf[:got], []byte("Hello, World!")); {
				c.SetReadDeadline(time.Now().Add(testTimeout))
				n, err := c.Read(buf[got:])
				if err != nil {
					b.Fatal(err)
				}
				got += n
			}
		}
		heap1, stack1 := inUse()
		heap += float64(heap1) - float64(heap0)
		stack += float64(stack1) - float64(stack0)
		for _, c := range conns {
			c.Close()
		}
		if after != nil {
			after()
		}
	}
	per := float64(b.N * idleConns)
	b.ReportMetric(heap/per, "heap-B/conn")
	b.ReportMetric(stack/per, "stack-B/conn")
	b.ReportMetric((heap+stack)/per, "B/conn")
}

// closeCounter counts the connections a server has closed, through its
// ConnState hook, so that a benchmark can wait for the server to be done
// with the connections of one round before measuring the next.
type closeCounter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	closed int
}

func newCloseCounter() *closeCounter {
	c := new(closeCounter)
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *closeCounter) hook(_ net.Conn, st http.ConnState) {
	if st == http.StateClosed {
		c.mu.Lock()
		c.closed++
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// waitFor waits until n connections have been closed in all.
func (c *closeCounter) waitFor(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.closed < n {
		c.cond.Wait()
	}
}

// BenchmarkIdleConn measures what an idle keep-alive connection costs in
// memory: ch05 and net/http after one request each, and the bare sockets
// (no server goroutine at all) as the floor. The server's own cost per
// idle connection is its figure minus the floor.
func BenchmarkIdleConn(b *testing.B) {
	b.Run("sockets-only", func(b *testing.B) {
		h := new(holdServer)
		benchIdle(b, h.serve, false, h.release)
	})
	b.Run("ch05", func(b *testing.B) {
		cc, rounds := newCloseCounter(), 0
		benchIdle(b, func(ln net.Listener) func() {
			s := &ch05.Server{Handler: demo.New(), ConnState: cc.hook}
			go s.Serve(ln)
			return func() { s.Close() }
		}, true, func() { rounds++; cc.waitFor(rounds * idleConns) })
	})
	b.Run("net-http", func(b *testing.B) {
		cc, rounds := newCloseCounter(), 0
		benchIdle(b, func(ln net.Listener) func() {
			s := &http.Server{Handler: demo.New(), ConnState: cc.hook,
				ReadHeaderTimeout: ch05.DefaultReadHeaderTimeout, IdleTimeout: ch05.DefaultIdleTimeout}
			go s.Serve(ln)
			return func() { s.Close() }
		}, true, func() { rounds++; cc.waitFor(rounds * idleConns) })
	})
}
