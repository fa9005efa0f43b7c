package final_test

// These tests use package final as a user's own program does, from the
// outside: final.Serve as final.Main runs it (the flags, --tls-cert,
// --log-level), and final.Server as a program moving from net/http uses
// it, each with a handler and real clients over 127.0.0.1.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/testkit"
)

// userTimeout bounds every wait in these tests.
const userTimeout = 10 * time.Second

// serveMain runs h with final.Serve, as final.Main does once it has
// parsed the command line into flags, on a 127.0.0.1 port, and returns
// the address and the server's log. The server stops gracefully when the
// test ends, and must return nil.
func serveMain(t *testing.T, flags final.Flags, h http.Handler) (string, *testkit.LogRecorder) {
	t.Helper()
	if err := flags.Check(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := new(testkit.LogRecorder)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- final.Serve(ctx, ln, final.Options{Flags: flags, Handler: h, Logf: logs.Logf}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("final.Serve = %v, want nil after a graceful stop", err)
			}
		case <-time.After(2 * userTimeout):
			t.Errorf("final.Serve did not return after its context was cancelled")
		}
	})
	return ln.Addr().String(), logs
}

// serveServer runs s.ServeTLS on a 127.0.0.1 port and returns the address;
// the server shuts down when the test ends.
func serveServer(t *testing.T, s *final.Server, certFile, keyFile string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.ServeTLS(ln, certFile, keyFile) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), userTimeout)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ServeTLS = %v, want http.ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// seen is what userApp's handler saw of a request.
type seen struct {
	tls   *tls.ConnectionState
	local any
}

// userApp is a user's application: "/" reports what it saw of the
// request on seenc; "/call" calls backend with the request's context, as
// a handler calling another service does, and reports the call's error
// on calls.
func userApp(t *testing.T, backend string, seenc chan<- seen, calls chan<- error) http.Handler {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	outgoing := &http.Client{Transport: tr, Timeout: userTimeout}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		seenc <- seen{r.TLS, r.Context().Value(http.LocalAddrContextKey)}
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/call", func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), "GET", backend, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = outgoing.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		calls <- err
	})
	return mux
}

// httpsClient trusts pool and offers HTTP/1.1 by ALPN.
func httpsClient(t *testing.T, pool *x509.CertPool) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: userTimeout}
}

// checkTLSRequest: GET / over HTTPS; the handler must see r.TLS (bug 1)
// and the connection's local address in its context (bug 5).
func checkTLSRequest(t *testing.T, addr string, pool *x509.CertPool, seenc <-chan seen) {
	t.Helper()
	resp, err := httpsClient(t, pool).Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-seenc
	if s.tls == nil {
		t.Fatal("r.TLS is nil on a request served over HTTPS")
	}
	if !s.tls.HandshakeComplete || s.tls.Version != resp.TLS.Version || s.tls.NegotiatedProtocol != "http/1.1" {
		t.Errorf("r.TLS = complete %v, version %x, ALPN %q; the client saw version %x",
			s.tls.HandshakeComplete, s.tls.Version, s.tls.NegotiatedProtocol, resp.TLS.Version)
	}
	if la, ok := s.local.(net.Addr); !ok || la.String() != addr {
		t.Errorf("r.Context().Value(http.LocalAddrContextKey) = %#v, want the net.Addr %s", s.local, addr)
	}
}

// checkClientGone: a client that leaves while the handler calls out with
// r.Context() cancels the call, and the call's error is context.Canceled
// to errors.Is (bug 2).
func checkClientGone(t *testing.T, addr string, pool *x509.CertPool, accepted <-chan struct{}, calls <-chan error) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /call HTTP/1.1\r\nHost: a\r\n\r\n")
	select {
	case <-accepted:
	case <-time.After(userTimeout):
		t.Fatal("the handler's outgoing call never reached the backend")
	}
	c.Close()
	select {
	case err := <-calls:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the outgoing call made with r.Context() failed with %v, want an error that is context.Canceled", err)
		}
	case <-time.After(userTimeout):
		t.Fatal("the outgoing call was not cancelled when the client left")
	}
}

// checkPlainHTTP: plain HTTP to the HTTPS port gets net/http's 400 (bug 3).
func checkPlainHTTP(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(userTimeout))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	got, err := io.ReadAll(c)
	const want = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
	if string(got) != want {
		t.Errorf("plain HTTP to the HTTPS port got %q (%v), want %q", got, err, want)
	}
}

// idleRequest makes one request on a kept HTTPS connection and waits for
// the server to close it once idle. A line about the close is logged
// before the close, so the log is complete when this returns.
func idleRequest(t *testing.T, addr string, pool *x509.CertPool) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(userTimeout))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the response closed the connection: nothing left to go idle")
	}
	if rest, err := io.ReadAll(br); len(rest) > 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("waiting for the idle close: %q, %v", rest, err)
	}
}

// TestUserMain: a user's app on final.Serve with --tls-cert, the way
// final.Main runs it.
func TestUserMain(t *testing.T) {
	certFile, keyFile, pool := testkit.CertFiles(t, t.TempDir())
	backendAddr, accepted := testkit.StallingBackend(t)
	backend := "http://" + backendAddr + "/"
	seenc, calls := make(chan seen, 1), make(chan error, 1)
	flags := final.Flags{TLSCert: certFile, TLSKey: keyFile, AccessLog: "off", IdleTimeout: 200 * time.Millisecond}
	addr, logs := serveMain(t, flags, userApp(t, backend, seenc, calls))

	t.Run("r.TLS and the local address", func(t *testing.T) { checkTLSRequest(t, addr, pool, seenc) })
	t.Run("client gone is a cancel", func(t *testing.T) { checkClientGone(t, addr, pool, accepted, calls) })
	t.Run("plain HTTP gets 400", func(t *testing.T) {
		checkPlainHTTP(t, addr)
		logs.WaitOneLine(t, "an HTTP request to an HTTPS server")
	})
	t.Run("idle closes are quiet by default", func(t *testing.T) {
		idleRequest(t, addr, pool)
		if lines := logs.Matching("idle for"); len(lines) > 0 {
			t.Errorf("an idle keep-alive close was logged without --log-level debug: %q", lines)
		}
	})
}

// TestUserMainLogLevelDebug: with --log-level debug, the same idle close
// is logged.
func TestUserMainLogLevelDebug(t *testing.T) {
	certFile, keyFile, pool := testkit.CertFiles(t, t.TempDir())
	flags := final.Flags{TLSCert: certFile, TLSKey: keyFile, AccessLog: "off", IdleTimeout: 200 * time.Millisecond, LogLevel: "debug"}
	addr, logs := serveMain(t, flags, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	idleRequest(t, addr, pool)
	if lines := logs.Matching("idle for 200ms, closing"); len(lines) != 1 {
		t.Errorf("with --log-level debug, log lines about the idle close: %q, want one", lines)
	}
}

// TestUserServer: the same checks through final.Server, shaped like
// net/http's, with ServeTLS and a connection limit (which wraps each TLS
// connection).
func TestUserServer(t *testing.T) {
	certFile, keyFile, pool := testkit.CertFiles(t, t.TempDir())
	backendAddr, accepted := testkit.StallingBackend(t)
	backend := "http://" + backendAddr + "/"
	seenc, calls := make(chan seen, 1), make(chan error, 1)
	var buf testkit.LogRecorder
	s := &final.Server{
		Handler:     userApp(t, backend, seenc, calls),
		MaxConns:    8,
		IdleTimeout: 200 * time.Millisecond,
		ErrorLog:    log.New(&buf, "", 0),
	}
	addr := serveServer(t, s, certFile, keyFile)

	t.Run("r.TLS and the local address", func(t *testing.T) { checkTLSRequest(t, addr, pool, seenc) })
	t.Run("client gone is a cancel", func(t *testing.T) { checkClientGone(t, addr, pool, accepted, calls) })
	t.Run("plain HTTP gets 400", func(t *testing.T) { checkPlainHTTP(t, addr) })
	t.Run("idle closes are quiet by default", func(t *testing.T) {
		idleRequest(t, addr, pool)
		if lines := buf.Matching("idle for"); len(lines) > 0 {
			t.Errorf("an idle keep-alive close was logged without LogConnLife: %q", lines)
		}
	})
}
