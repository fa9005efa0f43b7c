package bench

import (
	"net"
	"net/http"
	"testing"

	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/testkit"
)

// peerRequest is what BenchmarkKeepAlivePeers sends: the demo's GET /, as
// a client that keeps its connection (chapters/ch05's benchmark request).
const peerRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

// BenchmarkKeepAlivePeers sends GET / again and again on one persistent
// loopback connection to each server `learn bench --compare` knows as a
// peer, in this process, waiting for each response before the next
// request (chapters/ch05's BenchmarkKeepAlive, for final, net/http and
// fasthttp side by side). The client allocates nothing, so allocs/op is
// the server's per kept-alive request, handler included (the demo's GET /
// allocates nothing; fasthttp's peer handler neither).
func BenchmarkKeepAlivePeers(b *testing.B) {
	servers := []struct {
		name  string
		serve func(ln net.Listener) (stop func())
	}{
		{"final", func(ln net.Listener) func() {
			s := &final.Server{Handler: demo.New()}
			go s.Serve(ln) //nolint:errcheck // Close ends it
			return func() { s.Close() }
		}},
		{"net/http", func(ln net.Listener) func() {
			s := &http.Server{Handler: demo.New()}
			go s.Serve(ln) //nolint:errcheck // Close ends it
			return func() { s.Close() }
		}},
		{FastHTTP, func(ln net.Listener) func() {
			s := NewFastHTTPServer()
			go s.Serve(ln) //nolint:errcheck // Shutdown ends it
			return func() { s.Shutdown() }
		}},
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(s.serve(ln))
			c, n := testkit.DialHello(b, ln.Addr().String(), peerRequest)
			b.SetBytes(int64(len(peerRequest) + n))
			testkit.PingPong(b, c, peerRequest, n)
		})
	}
}
