package ch01

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

func TestNextDelay(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want time.Duration
	}{
		{"first error", 0, 5 * time.Millisecond},
		{"doubles", 5 * time.Millisecond, 10 * time.Millisecond},
		{"keeps doubling", 320 * time.Millisecond, 640 * time.Millisecond},
		{"capped", 640 * time.Millisecond, time.Second},
		{"stays capped", time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextDelay(tt.in); got != tt.want {
				t.Errorf("nextDelay(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"out of file descriptors", &net.OpError{Op: "accept", Err: os.NewSyscallError("accept", syscall.EMFILE)}, true},
		{"system file table full", fmt.Errorf("wrapped: %w", syscall.ENFILE), true},
		{"aborted before accept", syscall.ECONNABORTED, true},
		{"listener closed", net.ErrClosed, false},
		{"other error", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTemporary(tt.err); got != tt.want {
				t.Errorf("isTemporary(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// flakyListener fails its first Accept calls with EMFILE, as a process out
// of file descriptors does, then behaves.
type flakyListener struct {
	net.Listener
	failures int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.failures > 0 {
		l.failures--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// startServer serves s on a fresh loopback port and stops it when the test
// ends.
func startServer(t *testing.T, s *Server, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	ln := testkit.Listen(t)
	addr := ln.Addr().String()
	if wrap != nil {
		ln = wrap(ln)
	}
	testkit.Serve(t, s, ln, ErrServerClosed)
	return addr
}

func TestServeRetriesTemporaryAcceptErrors(t *testing.T) {
	var (
		mu     sync.Mutex
		logged []string
	)
	s := &Server{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}}
	addr := startServer(t, s, func(ln net.Listener) net.Listener { return &flakyListener{ln, 3} })
	echoRoundTrip(t, addr, "still serving\n")
	mu.Lock()
	defer mu.Unlock()
	if len(logged) != 3 {
		t.Errorf("logged %d accept errors, want 3: %q", len(logged), logged)
	}
}

func echoRoundTrip(t *testing.T, addr, msg string) {
	t.Helper()
	c := testkit.Dial(t, addr, testkit.WaitBound)
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if string(got) != msg {
		t.Errorf("echo of %q = %q", msg, got)
	}
}

func TestEchoHalfClose(t *testing.T) {
	addr := startServer(t, &Server{}, nil)
	echoRoundTrip(t, addr, "one\ntwo\n")
}

func TestCloseEndsConnections(t *testing.T) {
	s := &Server{}
	ln := testkit.Listen(t)
	serving := testkit.Serve(t, s, ln, ErrServerClosed)
	c := testkit.Dial(t, ln.Addr().String(), testkit.WaitBound)
	// A round trip proves the server has accepted and tracks the connection.
	io.WriteString(c, "x")
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}

	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := serving.Wait(t); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("Read after Close = %d bytes, want the connection closed", n)
	}
	if err := s.Serve(ln); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Close = %v, want ErrServerClosed", err)
	}
}

func TestCustomHandler(t *testing.T) {
	s := &Server{Handler: ConnHandlerFunc(func(c net.Conn) {
		defer c.Close()
		io.WriteString(c, "hi\n")
	})}
	addr := startServer(t, s, nil)
	c := testkit.Dial(t, addr, testkit.WaitBound)
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hi\n" {
		t.Errorf("read %q, %v; want %q", got, err, "hi\n")
	}
}
