package ch07

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/internal/testkit"
)

// gate is a handler that announces each request and waits to be released,
// so a test controls exactly when a request is in flight.
type gate struct {
	started chan string
	release chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan string, 10), release: make(chan struct{})}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/slow" {
		g.started <- r.URL.Path
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
	}
	io.WriteString(w, "done "+r.URL.Path)
}

// startServer serves h on a 127.0.0.1 port until the test ends, and
// returns the server, its address and what tells when Serve returned.
func startServer(t *testing.T, h http.Handler) (*Server, net.Listener, *testkit.Serving) {
	t.Helper()
	ln := testkit.Listen(t)
	s := New(&ch05.Server{Handler: h})
	return s, ln, testkit.Serve(t, s, ln, ErrServerClosed)
}

// client is one keep-alive connection that sends requests and reads
// responses.
type client struct {
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c := testkit.Dial(t, addr, testkit.WaitBound)
	return &client{c: c, br: bufio.NewReader(c)}
}

func (cl *client) get(t *testing.T, path string) {
	t.Helper()
	if _, err := io.WriteString(cl.c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
}

func (cl *client) response(t *testing.T) *http.Response {
	t.Helper()
	resp, err := http.ReadResponse(cl.br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func (cl *client) closedByServer(t *testing.T) {
	t.Helper()
	if n, err := cl.br.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d more bytes, want the server to close the connection", n)
	}
}

func TestShutdownClosesIdleAndFinishesInFlight(t *testing.T) {
	g := newGate()
	s, ln, served := startServer(t, g)
	addr := ln.Addr().String()

	idle := dial(t, addr)
	idle.get(t, "/")
	if resp := idle.response(t); resp.Close {
		t.Fatal("the first response closed the connection: keep-alive is off")
	}
	busy := dial(t, addr)
	busy.get(t, "/slow")
	receive(t, g.started, "the slow request") // in flight

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()

	// The idle connection is closed at once.
	idle.closedByServer(t)
	// New connections are refused once the listener is closed.
	testkit.WaitClosed(t, ln)
	// The request in flight finishes, says Connection: close, and then
	// the connection ends.
	close(g.release)
	resp := busy.response(t)
	if body, _ := io.ReadAll(resp.Body); string(body) != "done /slow" || !resp.Close {
		t.Errorf("in-flight response: %q, Close=%v; want the whole body and Connection: close", body, resp.Close)
	}
	busy.closedByServer(t)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown() = %v, want nil", err)
	}
	if err := served.Wait(t); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
	if err := s.Serve(testkit.Listen(t)); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want ErrServerClosed", err)
	}
}

func TestShutdownTimesOut(t *testing.T) {
	g := newGate()
	s, ln, _ := startServer(t, g)
	addr := ln.Addr().String()
	busy := dial(t, addr)
	busy.get(t, "/slow")
	receive(t, g.started, "the slow request")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown() = %v, want context.DeadlineExceeded", err)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		release bool // let the slow request finish
		force   bool // a second stop request
		want    error
	}{
		{"clean", time.Minute, true, false, nil},
		{"timeout", 100 * time.Millisecond, false, false, ErrGracefulTimeout},
		{"forced", time.Minute, false, true, ErrForced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate()
			ln := testkit.Listen(t)
			s := New(&ch05.Server{Handler: g})
			ctx, stop := context.WithCancel(context.Background())
			force := make(chan struct{})
			done := make(chan error, 1)
			go func() { done <- Run(ctx, force, s, ln, tt.timeout, t.Logf) }()
			busy := dial(t, ln.Addr().String())
			busy.get(t, "/slow")
			receive(t, g.started, "the slow request")
			stop()
			testkit.WaitClosed(t, ln)
			if tt.release {
				close(g.release)
			}
			if tt.force {
				close(force)
			}
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) { // errors.Is(nil, nil) is true
					t.Errorf("Run() = %v, want %v", err, tt.want)
				}
			case <-time.After(testkit.WaitBound):
				t.Fatalf("Run did not return within %v", testkit.WaitBound)
			}
		})
	}
}

// TestRunDoesNotWaitForAStuckHandler: a handler that heeds neither its
// context nor its connection being cut holds its goroutine forever; Run
// still returns, CutWait after the graceful timeout, with the handler
// still running, so that the process can exit.
func TestRunDoesNotWaitForAStuckHandler(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release // nothing else: not the context, not a write
	})
	ln := testkit.Listen(t)
	s := New(&ch05.Server{Handler: stuck})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, nil, s, ln, 50*time.Millisecond, t.Logf) }()
	t.Cleanup(func() {
		close(release) // let the handler, and Close's wait in the background, end
		stop()
		<-done
	})
	dial(t, ln.Addr().String()).get(t, "/")
	receive(t, started, "the stuck request")
	stop()
	select {
	case err := <-done:
		done <- err // for the cleanup
		if !errors.Is(err, ErrGracefulTimeout) {
			t.Errorf("Run() = %v, want ErrGracefulTimeout", err)
		}
	case <-time.After(testkit.WaitBound):
		t.Fatalf("Run did not return within %v while a handler was stuck", testkit.WaitBound)
	}
}

// holdingListener accepts a connection and then holds it, announcing it,
// until released: the instant between the kernel handing a connection
// over and the server starting to serve it, stretched for a test. It
// announces its Close too: Shutdown has begun.
type holdingListener struct {
	net.Listener
	accepted chan struct{}
	release  chan struct{}
	closing  chan struct{}
	once     sync.Once
}

func (l *holdingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted <- struct{}{}
	<-l.release
	return c, nil
}

func (l *holdingListener) Close() error {
	l.once.Do(func() { close(l.closing) })
	return l.Listener.Close()
}

// A connection accepted just as Shutdown starts is served, not lost:
// Shutdown waits until the accept loop has handed it over and its request
// is answered. The request is a slow one, held by the gate, so the test
// can look at Shutdown while it must still wait, with no clock: it has
// closed the listener, the connection has reached the handler, and the
// handler has not answered.
func TestShutdownWaitsForConnectionBeingAccepted(t *testing.T) {
	g := newGate()
	hl := &holdingListener{Listener: testkit.Listen(t), accepted: make(chan struct{}, 1),
		release: make(chan struct{}), closing: make(chan struct{})}
	s := New(&ch05.Server{Handler: g})
	served := testkit.Serve(t, s, hl, ErrServerClosed)

	cl := dial(t, hl.Addr().String())
	cl.get(t, "/slow")
	receive(t, hl.accepted, "the accept") // in the accept loop's hands, not served yet

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	receive(t, hl.closing, "Shutdown closing the listener")
	close(hl.release)
	receive(t, g.started, "the held connection's request reaching the handler")
	select {
	case err := <-shut:
		t.Fatalf("Shutdown() = %v while the accepted connection's request was in flight", err)
	default:
	}
	close(g.release)
	resp := cl.response(t)
	if body, _ := io.ReadAll(resp.Body); string(body) != "done /slow" || !resp.Close {
		t.Errorf("response: %q, Close=%v; want the body and Connection: close", body, resp.Close)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown() = %v, want nil", err)
		}
	case <-time.After(testkit.WaitBound):
		t.Fatalf("Shutdown has not returned %v after the last request was answered", testkit.WaitBound)
	}
	if err := served.Wait(t); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
}

// receive waits for a value on ch, failing the test after
// testkit.WaitBound.
func receive[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(testkit.WaitBound):
		t.Fatalf("%s: nothing after %v", what, testkit.WaitBound)
	}
}
