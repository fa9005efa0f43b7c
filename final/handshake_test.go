package final

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// tlsServer is a Server serving over TLS on a 127.0.0.1 port.
type tlsServer struct {
	addr   string
	logs   *testkit.LogRecorder
	closed chan struct{} // a value per connection that reached StateClosed
	pool   *x509.CertPool
}

// startTLSServer serves h over TLS, after configure (which may be nil)
// has set the server's fields; the server logs to the returned recorder.
func startTLSServer(t *testing.T, h http.Handler, configure func(*Server)) *tlsServer {
	t.Helper()
	cert, pool := testkit.Cert(t)
	ts := &tlsServer{logs: new(testkit.LogRecorder), closed: make(chan struct{}, 16), pool: pool}
	s := &Server{
		Handler:   h,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		ErrorLog:  log.New(ts.logs, "", 0),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed {
				ts.closed <- struct{}{}
			}
		},
	}
	if configure != nil {
		configure(s)
	}
	ts.addr = serve(t, s, func(ln net.Listener) error { return s.ServeTLS(ln, "", "") })
	return ts
}

// client returns an http.Client that trusts the server.
func (ts *tlsServer) client(t *testing.T) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ts.pool, NextProtos: []string{"http/1.1"}}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// TestTLSRequestState: over TLS, every request on a kept connection
// carries the connection's state in r.TLS, as under net/http, and its
// context the connection's local address.
func TestTLSRequestState(t *testing.T) {
	type seen struct {
		tls   *tls.ConnectionState
		local any
	}
	got := make(chan seen, 2)
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.TLS, r.Context().Value(http.LocalAddrContextKey)}
	}), nil)
	c := ts.client(t)
	var first *tls.ConnectionState
	for i := range 2 {
		resp, err := c.Get("https://" + ts.addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the state matters
		resp.Body.Close()
		s := <-got
		switch {
		case s.tls == nil:
			t.Fatalf("request %d: r.TLS is nil on a connection served over TLS", i+1)
		case !s.tls.HandshakeComplete || s.tls.Version != resp.TLS.Version || s.tls.NegotiatedProtocol != "http/1.1":
			t.Errorf("request %d: r.TLS = complete %v, version %x, ALPN %q; the client saw version %x",
				i+1, s.tls.HandshakeComplete, s.tls.Version, s.tls.NegotiatedProtocol, resp.TLS.Version)
		}
		if first == nil {
			first = s.tls
		} else if s.tls != first {
			t.Error("two requests on one connection got different r.TLS: want the connection's one state")
		}
		if la, ok := s.local.(net.Addr); !ok || la.String() != ts.addr {
			t.Errorf("request %d: http.LocalAddrContextKey = %#v, want %s", i+1, s.local, ts.addr)
		}
	}
}

// TestTLSPlainHTTP: plain HTTP sent to the TLS port gets net/http's 400
// in plain text, not a silent close, and one short log line.
func TestTLSPlainHTTP(t *testing.T) {
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for plain HTTP on the TLS port")
	}), nil)
	c := testkit.Dial(t, ts.addr, 10*time.Second)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	c.Close() // the server lingers until the client is done
	if string(got) != plainHTTPReply {
		t.Errorf("plain HTTP to the TLS port got %q (%v), want %q", got, err, plainHTTPReply)
	}
	ts.logs.WaitOneLine(t, "an HTTP request to an HTTPS server")
}

// TestTLSHandshakeFailure: a client that does not trust the certificate
// gives up in the handshake; the server logs one short line, and goes on
// serving.
func TestTLSHandshakeFailure(t *testing.T) {
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil)
	_, otherPool := testkit.Cert(t)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: otherPool}}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + ts.addr + "/"); err == nil {
		t.Fatal("a client that does not trust the certificate got through")
	}
	ts.logs.WaitOneLine(t, "TLS handshake: ")
	resp, err := ts.client(t).Get("https://" + ts.addr + "/")
	if err != nil {
		t.Fatalf("after a failed handshake: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after a failed handshake, GET / = %d, want 200", resp.StatusCode)
	}
}

// TestTLSHandshakeTimeout: the handshake is bounded by the read-header
// timeout: a client that connects and sends nothing is closed.
func TestTLSHandshakeTimeout(t *testing.T) {
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), func(s *Server) {
		s.ReadHeaderTimeout = 200 * time.Millisecond
	})
	c := testkit.Dial(t, ts.addr, 10*time.Second)
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("a silent TLS connection got %d bytes, want it closed", n)
	}
	ts.logs.WaitOneLine(t, "TLS handshake: ")
}

// TestTLSClosedBeforeHandshake: a client that connects and closes
// without a word (a port check, a load balancer's probe) is normal life:
// logged only with LogConnLife.
func TestTLSClosedBeforeHandshake(t *testing.T) {
	for _, logged := range []bool{false, true} {
		t.Run(map[bool]string{false: "quiet", true: "logged"}[logged], func(t *testing.T) {
			ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), func(s *Server) {
				s.LogConnLife = logged
			})
			c := testkit.Dial(t, ts.addr, 10*time.Second)
			c.Close()
			select { // the line, if any, is written before StateClosed
			case <-ts.closed:
			case <-time.After(10 * time.Second):
				t.Fatal("the connection never reached StateClosed")
			}
			lines := ts.logs.Matching("closed before the TLS handshake")
			if logged != (len(lines) == 1) {
				t.Errorf("LogConnLife %v: log lines %q", logged, lines)
			}
			if other := ts.logs.Matching("TLS handshake: "); len(other) > 0 {
				t.Errorf("a client gone before the handshake logged as a failure: %q", other)
			}
		})
	}
}
