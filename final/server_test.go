package final

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func hello(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "hello from "+r.Proto)
}

// serve runs s on a fresh loopback listener and returns its address.
func serve(t *testing.T, s *Server, serveFn func(net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serveFn(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve() = %v, want http.ErrServerClosed (as net/http's)", err)
		}
	})
	return ln.Addr().String()
}

// dialServer serves s as serve does and returns a connection to it
// (testkit.Dial: closed when the test ends, reads and writes bounded).
func dialServer(t *testing.T, s *Server) net.Conn {
	t.Helper()
	return testkit.Dial(t, serve(t, s, s.Serve), 10*time.Second)
}

func TestServerLikeNetHTTP(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(hello)}
	addr := serve(t, s, s.Serve)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello from HTTP/1.1" {
		t.Errorf("GET / = %d %q", resp.StatusCode, body)
	}
}

func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := testkit.CertFiles(t, t.TempDir())
	s := &Server{Handler: http.HandlerFunc(hello)}
	addr := serve(t, s, func(ln net.Listener) error { return s.ServeTLS(ln, certFile, keyFile) })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from HTTP/1.1" || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "http/1.1" {
		t.Errorf("GET over TLS = %q, ALPN %v", body, resp.TLS)
	}
}

func TestServeTLSNeedsACertificate(t *testing.T) {
	s := &Server{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := s.ServeTLS(ln, "", ""); err == nil || !strings.Contains(err.Error(), "needs a certificate") {
		t.Errorf("ServeTLS without a certificate = %v", err)
	}
	if err := s.ServeTLS(ln, "/nonexistent.pem", "/nonexistent.key"); err == nil || !strings.Contains(err.Error(), "load TLS certificate") {
		t.Errorf("ServeTLS with missing files = %v", err)
	}
}

func TestMaxConnsAnswers503(t *testing.T) {
	release := make(chan struct{})
	s := &Server{MaxConns: 1, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "ok")
	})}
	addr := serve(t, s, s.Serve)
	defer close(release)

	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	io.WriteString(first, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	// The first connection holds the only slot (its handler waits); keep
	// dialing until the server has counted it and refuses the next one.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err == nil && resp.StatusCode == http.StatusServiceUnavailable {
			if resp.Header.Get("Retry-After") == "" || !resp.Close {
				t.Errorf("503 without Retry-After or Connection: close: %v", resp.Header)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 503 past --max-conns 1: last %v, %v", resp, err)
		}
	}
}

func TestWithTimeoutsCutsASlowBody(t *testing.T) {
	got := make(chan error, 1)
	s := &Server{ReadTimeout: 200 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		got <- err
	})}
	addr := serve(t, s, s.Serve)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A body promised but never sent: the read must give up at ReadTimeout.
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	select {
	case err := <-got:
		if err == nil {
			t.Error("reading a stalled body succeeded, want a timeout")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadTimeout did not cut the stalled body")
	}
}

// TestReadTimeoutLeavesTheClientWatch: ReadTimeout bounds reading the
// request, not the handler's life. A handler that outlives it and waits on
// r.Context() must still learn that the client left: after a bodiless
// request, and after a body read to its end (net/http clears the deadline
// when its background read starts; so does chapter 4).
func TestReadTimeoutLeavesTheClientWatch(t *testing.T) {
	for _, request := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
	} {
		method, _, _ := strings.Cut(request, " ")
		t.Run(method, func(t *testing.T) {
			started := make(chan struct{})
			cancelled := make(chan error, 1)
			s := &Server{ReadTimeout: 50 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				close(started)
				select {
				case <-r.Context().Done():
					cancelled <- context.Cause(r.Context())
				case <-time.After(10 * time.Second):
					cancelled <- nil
				}
			})}
			addr := serve(t, s, s.Serve)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, request)
			<-started
			time.Sleep(150 * time.Millisecond) // past ReadTimeout: the deadline must not have ended the watch
			c.Close()
			if err := <-cancelled; err == nil {
				t.Fatal("the client left after ReadTimeout, and the request's context was never cancelled")
			}
		})
	}
}

// TestWriteTimeoutDoesNotOutliveItsResponse: the write deadline set for a
// response must not still stand when the connection, idle past it, brings
// a request rejected before any handler runs: its 400 must arrive.
func TestWriteTimeoutDoesNotOutliveItsResponse(t *testing.T) {
	c := dialServer(t, &Server{WriteTimeout: 50 * time.Millisecond, IdleTimeout: 10 * time.Second, Handler: http.HandlerFunc(hello)})
	br := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	time.Sleep(150 * time.Millisecond) // idle past WriteTimeout
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a bad request after an idle wait: %v", err)
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two Host fields got %d, want 400", resp.StatusCode)
	}
}

// TestWriteTimeoutSparesAPipelinedResponse: a response held back for a
// pipelined batch must not wait for the next handler's write deadline,
// nor die of it: the next request's handler is slower than WriteTimeout,
// and the first response must arrive all the same.
func TestWriteTimeoutSparesAPipelinedResponse(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/fast", hello)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "late")
	})
	c := dialServer(t, &Server{WriteTimeout: 100 * time.Millisecond, Handler: mux})
	io.WriteString(c, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the first of two pipelined requests got no response: %v", err)
	}
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(body) != "hello from HTTP/1.1" {
		t.Errorf("GET /fast = %d %q, want 200 \"hello from HTTP/1.1\"", resp.StatusCode, body)
	}
}
