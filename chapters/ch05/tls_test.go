package ch05_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/internal/testkit"
)

// tlsServer is a ch05.Server serving over TLS on a 127.0.0.1 port.
type tlsServer struct {
	addr   string
	logs   *testkit.LogRecorder
	states *stateRecorder
	pool   *x509.CertPool // trusts the server's certificate
}

// startTLSServer serves h over TLS, after configure (which may be nil)
// has set the server's fields; the server logs to the returned recorder.
func startTLSServer(t *testing.T, h http.Handler, configure func(*ch05.Server)) *tlsServer {
	t.Helper()
	cert, pool := testkit.Cert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &tlsServer{addr: ln.Addr().String(), logs: new(testkit.LogRecorder), states: newStateRecorder(), pool: pool}
	tln := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	serveOn(t, tln, h, func(s *ch05.Server) {
		s.Logf, s.ConnState = ts.logs.Logf, ts.states.hook
		if configure != nil {
			configure(s)
		}
	})
	return ts
}

// client returns an http.Client that trusts the server, its idle
// connections closed when the test ends.
func (ts *tlsServer) client(t *testing.T) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ts.pool, NextProtos: []string{"http/1.1"}}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testTimeout}
}

// get sends GET path and returns the response with its body read.
func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return resp, string(body)
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
	for i := range 2 {
		resp, _ := get(t, c, "https://"+ts.addr+"/")
		s := <-got
		switch {
		case s.tls == nil:
			t.Fatalf("request %d: r.TLS is nil on a connection served over TLS", i+1)
		case !s.tls.HandshakeComplete || s.tls.Version != resp.TLS.Version || s.tls.NegotiatedProtocol != "http/1.1":
			t.Errorf("request %d: r.TLS = complete %v, version %x, ALPN %q; the client saw version %x",
				i+1, s.tls.HandshakeComplete, s.tls.Version, s.tls.NegotiatedProtocol, resp.TLS.Version)
		}
		if la, ok := s.local.(net.Addr); !ok || la.String() != ts.addr {
			t.Errorf("request %d: http.LocalAddrContextKey = %#v, want %s", i+1, s.local, ts.addr)
		}
	}
	if n := ts.states.connections(); n != 1 {
		t.Errorf("%d connections for two requests, want one kept alive", n)
	}
}

// TestTLSPlainHTTP: plain HTTP sent to the TLS port gets net/http's 400
// in plain text, not a silent close, and one short log line.
func TestTLSPlainHTTP(t *testing.T) {
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for plain HTTP on the TLS port")
	}), nil)
	c := dial(t, ts.addr)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	c.c.SetReadDeadline(time.Now().Add(testTimeout))
	got, err := io.ReadAll(c.br)
	c.c.Close() // the server lingers until the client is done
	const want = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
	if string(got) != want {
		t.Errorf("plain HTTP to the TLS port got %q (%v), want %q", got, err, want)
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
	if _, err := (&http.Client{Transport: tr, Timeout: testTimeout}).Get("https://" + ts.addr + "/"); err == nil {
		t.Fatal("a client that does not trust the certificate got through")
	}
	ts.logs.WaitOneLine(t, "TLS handshake: ")
	if resp, _ := get(t, ts.client(t), "https://"+ts.addr+"/"); resp.StatusCode != 200 {
		t.Errorf("after a failed handshake, GET / = %d, want 200", resp.StatusCode)
	}
}

// TestTLSHandshakeTimeout: the handshake is bounded by the read-header
// timeout: a client that connects and sends nothing is closed.
func TestTLSHandshakeTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), func(s *ch05.Server) {
		s.ReadHeaderTimeout = timeout
	})
	c := dial(t, ts.addr)
	if elapsed := c.expectClosed(); elapsed > 20*timeout {
		t.Errorf("a silent TLS connection closed after %v, want about %v", elapsed, timeout)
	}
	ts.logs.WaitOneLine(t, "TLS handshake: ")
}

// TestTLSClosedBeforeHandshake: a client that connects and closes
// without a word (a port check, a load balancer's probe) is normal life:
// logged only without QuietConnLife.
func TestTLSClosedBeforeHandshake(t *testing.T) {
	for _, quiet := range []bool{true, false} {
		t.Run(map[bool]string{true: "quiet", false: "logged"}[quiet], func(t *testing.T) {
			ts := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), func(s *ch05.Server) {
				s.QuietConnLife = quiet
			})
			c := dial(t, ts.addr)
			c.c.Close()
			ts.states.waitEnd(t) // the line, if any, is written before StateClosed
			lines := ts.logs.Matching("closed before the TLS handshake")
			if quiet != (len(lines) == 0) {
				t.Errorf("QuietConnLife %v: log lines %q", quiet, lines)
			}
			if other := ts.logs.Matching("TLS handshake: "); len(other) > 0 {
				t.Errorf("a client gone before the handshake logged as a failure: %q", other)
			}
		})
	}
}
