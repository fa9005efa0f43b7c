package ch05_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/internal/testkit"
)

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

// BenchmarkKeepAlive: the demo's GET / through ch05, request after request
// on one loopback connection.
func BenchmarkKeepAlive(b *testing.B) { testkit.BenchKeepAlive(b, serveCh05) }

// BenchmarkKeepAliveNetHTTP: the same client and handler through
// net/http's Server.
func BenchmarkKeepAliveNetHTTP(b *testing.B) { testkit.BenchKeepAlive(b, serveNetHTTP) }

// BenchmarkPipelined: 16 pipelined GET / per write through ch05; op is one
// request.
func BenchmarkPipelined(b *testing.B) { testkit.BenchPipelined(b, serveCh05) }

// BenchmarkPipelinedNetHTTP: the same through net/http.
func BenchmarkPipelinedNetHTTP(b *testing.B) { testkit.BenchPipelined(b, serveNetHTTP) }

// BenchmarkIdleConn measures what an idle keep-alive connection costs in
// memory: ch05 and net/http after one request each, and the bare sockets
// (no server goroutine at all) as the floor. The server's own cost per
// idle connection is its figure minus the floor.
func BenchmarkIdleConn(b *testing.B) {
	b.Run("sockets-only", func(b *testing.B) {
		h := new(testkit.HoldServer)
		testkit.BenchIdle(b, h.Serve, false, h.Release)
	})
	b.Run("ch05", func(b *testing.B) {
		cc := testkit.NewCloseCounter()
		testkit.BenchIdle(b, func(ln net.Listener) func() {
			s := &ch05.Server{Handler: demo.New(), ConnState: cc.Hook}
			go s.Serve(ln)
			return func() { s.Close() }
		}, true, cc.NextRound)
	})
	b.Run("net-http", func(b *testing.B) {
		cc := testkit.NewCloseCounter()
		testkit.BenchIdle(b, func(ln net.Listener) func() {
			s := &http.Server{Handler: demo.New(), ConnState: cc.Hook,
				ReadHeaderTimeout: ch05.DefaultReadHeaderTimeout, IdleTimeout: ch05.DefaultIdleTimeout}
			go s.Serve(ln)
			return func() { s.Close() }
		}, true, cc.NextRound)
	})
}
