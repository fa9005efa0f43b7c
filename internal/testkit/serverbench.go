package testkit

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
)

// HelloRequest is what the server benchmarks send: the demo app's GET /,
// as a client that keeps its connection.
const HelloRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

// ServeFunc starts a server on ln and returns a function that stops it.
type ServeFunc func(ln net.Listener) (stop func())

// benchConn dials a server started by serve on a loopback port and
// returns the connection and the exact length of the response to
// HelloRequest (constant: the Date field always has the same length).
func benchConn(b *testing.B, serve ServeFunc) (net.Conn, int) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(serve(ln))
	return DialHello(b, ln.Addr().String(), HelloRequest)
}

// BenchKeepAlive sends GET / again and again on one persistent loopback
// connection, waiting for each response before the next request, as a
// browser or an HTTP/1.1 client pool does. The client allocates nothing,
// so allocs/op is the server's.
func BenchKeepAlive(b *testing.B, serve ServeFunc) {
	c, n := benchConn(b, serve)
	b.SetBytes(int64(len(HelloRequest) + n))
	buf := PingPong(b, c, HelloRequest, n)
	if !bytes.HasSuffix(buf, []byte("\r\n\r\nHello, World!")) {
		b.Fatalf("last response %q", buf)
	}
}

// PipelineDepth is how many requests BenchPipelined sends in one write.
const PipelineDepth = 16

// BenchPipelined sends PipelineDepth requests in one write and reads
// their responses, then again; op is one request.
func BenchPipelined(b *testing.B, serve ServeFunc) {
	c, n := benchConn(b, serve)
	reqs := []byte(strings.Repeat(HelloRequest, PipelineDepth))
	buf := make([]byte, n*PipelineDepth)
	b.SetBytes(int64(len(HelloRequest) + n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += PipelineDepth {
		k := min(PipelineDepth, b.N-i)
		if _, err := c.Write(reqs[:k*len(HelloRequest)]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:k*n]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// IdleConns is how many idle connections BenchIdle holds.
const IdleConns = 1000

// HoldServer accepts connections and keeps them, with no goroutine and no
// buffer per connection: what is left is the sockets themselves, on both
// ends, and the client's side. It is the floor the servers are measured
// against in BenchIdle.
type HoldServer struct {
	mu   sync.Mutex
	held []net.Conn
}

// Serve accepts on ln in the background; the returned function closes ln
// and the connections held.
func (h *HoldServer) Serve(ln net.Listener) func() {
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
		h.Release()
	}
}

// Release closes the connections held so far.
func (h *HoldServer) Release() {
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

// BenchIdle opens IdleConns connections, sends GET / on each (unless
// request is false) and reads the response, so each server goroutine has
// run a handler and sits idle waiting for the next request. It reports
// the heap and stack in use per connection, for the client and server
// sides together. after, if not nil, runs once the connections are
// closed.
func BenchIdle(b *testing.B, serve ServeFunc, request bool, after func()) {
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
		conns := make([]net.Conn, 0, IdleConns)
		for range IdleConns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			if !request {
				continue
			}
			if _, err := io.WriteString(c, HelloRequest); err != nil {
				b.Fatal(err)
			}
			for got := 0; !bytes.HasSuffix(buf[:got], []byte("Hello, World!")); {
				if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
					b.Fatal(err)
				}
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
	per := float64(b.N * IdleConns)
	b.ReportMetric(heap/per, "heap-B/conn")
	b.ReportMetric(stack/per, "stack-B/conn")
	b.ReportMetric((heap+stack)/per, "B/conn")
}

// CloseCounter counts the connections a server has closed, through its
// ConnState hook (Hook), so that a benchmark can wait for the server to
// be done with the connections of one round before measuring the next.
type CloseCounter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	closed int
	rounds int
}

// NewCloseCounter returns a CloseCounter at zero.
func NewCloseCounter() *CloseCounter {
	c := new(CloseCounter)
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Hook is a ConnState hook that counts closed connections.
func (c *CloseCounter) Hook(_ net.Conn, st http.ConnState) {
	if st == http.StateClosed {
		c.mu.Lock()
		c.closed++
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// NextRound waits until the server has closed every connection of the
// rounds of BenchIdle so far (IdleConns each): pass it as BenchIdle's
// after.
func (c *CloseCounter) NextRound() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rounds++
	for c.closed < c.rounds*IdleConns {
		c.cond.Wait()
	}
}
