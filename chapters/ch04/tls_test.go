package ch04_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/internal/testkit"
)

// startTLSServer serves h with a ch04.Server over TLS on a 127.0.0.1 port
// and returns its address, its log, and a client that trusts it.
func startTLSServer(t *testing.T, h http.Handler) (string, *testkit.LogRecorder, *http.Client) {
	t.Helper()
	cert, pool := testkit.Cert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := new(testkit.LogRecorder)
	s := &ch04.Server{Handler: h, Logf: logs.Logf}
	testkit.Serve(t, s, tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}), ch04.ErrServerClosed)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return ln.Addr().String(), logs, &http.Client{Transport: tr, Timeout: testTimeout}
}

// TestServerSetsRequestTLS: over TLS, r.TLS holds the connection's state
// after the handshake, as net/http's requests do.
func TestServerSetsRequestTLS(t *testing.T) {
	got := make(chan *tls.ConnectionState, 1)
	addr, _, c := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.TLS
	}))
	resp, _ := do(t, c, newRequest(t, "GET", "https://"+addr+"/", nil))
	st := <-got
	switch {
	case st == nil:
		t.Fatal("r.TLS is nil on a request served over TLS")
	case !st.HandshakeComplete || st.Version != resp.TLS.Version || st.CipherSuite != resp.TLS.CipherSuite:
		t.Errorf("r.TLS = complete %v, version %x, suite %x; the client saw version %x, suite %x",
			st.HandshakeComplete, st.Version, st.CipherSuite, resp.TLS.Version, resp.TLS.CipherSuite)
	case st.ServerName != "":
		t.Errorf("r.TLS.ServerName = %q, want none (the client dialled an IP address)", st.ServerName)
	}
}

// TestServerAnswersPlainHTTPOnTLS: plain HTTP sent to the TLS port gets
// net/http's 400, not a silent close, and one short log line.
func TestServerAnswersPlainHTTPOnTLS(t *testing.T) {
	addr, logs, _ := startTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for plain HTTP on the TLS port")
	}))
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	const want = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
	if got != want {
		t.Errorf("plain HTTP to the TLS port got %q, want %q", got, want)
	}
	logs.WaitOneLine(t, "an HTTP request to an HTTPS server")
}
