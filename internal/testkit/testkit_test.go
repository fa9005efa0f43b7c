package testkit

import (
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
)

func TestLogRecorder(t *testing.T) {
	var l LogRecorder
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { l.Logf("line %d: %s", i, map[bool]string{true: "panic serving", false: "ok"}[i%5 == 0]) })
	}
	wg.Wait()
	if n := len(l.Lines()); n != 10 {
		t.Fatalf("recorded %d lines, want 10", n)
	}
	got := l.Matching("panic")
	slices.Sort(got)
	if want := []string{"line 0: panic serving", "line 5: panic serving"}; !slices.Equal(got, want) {
		t.Errorf("Matching(panic) = %q, want %q", got, want)
	}
}

func TestDialHello(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello, World!"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	_, n := DialHello(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	// Status line, Date, Content-Length, Content-Type, blank line, body.
	if n < len("HTTP/1.1 200 OK\r\n\r\nHello, World!") || n > 200 {
		t.Errorf("response length %d, want that of one small response", n)
	}
}

// echoServer is the smallest Server: it echoes every connection until the
// client half-closes, and Close stops it.
type echoServer struct {
	mu     sync.Mutex
	ln     net.Listener
	closed bool
}

var errEchoClosed = errors.New("echo server closed")

func (s *echoServer) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errEchoClosed
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.closed {
				return errEchoClosed
			}
			return err
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}

func (s *echoServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.ln != nil {
		return s.ln.Close()
	}
	return nil
}

func TestServeDial(t *testing.T) {
	ln := Listen(t)
	addr := ln.Addr().String()
	s := &echoServer{}
	Serve(t, s, ln, errEchoClosed)
	c := Dial(t, addr, WaitBound)
	if _, err := io.WriteString(c, "ping"); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "ping" {
		t.Errorf("echo = %q, %v, want \"ping\", nil", got, err)
	}
}

func TestServingWaitAndWaitClosed(t *testing.T) {
	ln := Listen(t)
	addr := ln.Addr().String()
	s := &echoServer{}
	sv := Serve(t, s, ln, errEchoClosed)
	Dial(t, addr, 0) // served: the listener is up
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sv.Wait(t); !errors.Is(err, errEchoClosed) {
		t.Errorf("Wait() = %v, want %v", err, errEchoClosed)
	}
	WaitClosed(t, ln)
}
