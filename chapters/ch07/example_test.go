package ch07_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch07"
)

// Shutdown with two clients: one idle between keep-alive requests, one
// waiting for a slow response. The listener closes at once, the idle
// connection is closed, the request in flight finishes with
// "Connection: close", and Shutdown returns once no connection is left.
func ExampleServer_Shutdown() {
	started, release := make(chan struct{}), make(chan struct{})
	srv := ch07.New(&ch05.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(started)
				<-release
			}
			fmt.Fprintf(w, "done %s\n", r.URL.Path)
		}),
	})
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer idle.Close()
	idleR := bufio.NewReader(idle)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("idle: %s %q close=%v\n", resp.Status, body, resp.Close)

	busy, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer busy.Close()
	busyR := bufio.NewReader(busy)
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: example.com\r\n\r\n")
	<-started // the request is in flight

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()

	fmt.Println("Serve:", <-served) // the listener is closed first
	_, err = idleR.ReadByte()
	fmt.Println("idle:", err) // closed by the server

	close(release) // let the slow request finish
	resp, err = http.ReadResponse(busyR, nil)
	if err != nil {
		panic(err)
	}
	body, _ = io.ReadAll(resp.Body)
	fmt.Printf("busy: %s %q close=%v\n", resp.Status, body, resp.Close)
	_, err = busyR.ReadByte()
	fmt.Println("busy:", err)

	fmt.Println("Shutdown:", <-shut)
	// Output:
	// idle: 200 OK "done /\n" close=false
	// Serve: ch01: server closed
	// idle: EOF
	// busy: 200 OK "done /slow\n" close=true
	// busy: EOF
	// Shutdown: <nil>
}

// Run is what a program's main calls: it serves until ctx is done, then
// shuts down gracefully within the timeout. In a program ctx and force
// come from StopSignals (SIGTERM or Ctrl+C, and a second one to force
// the stop); here cancel stands in for the signal.
func ExampleRun() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := ch07.New(&ch05.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "Hello, World!")
		}),
	})
	// The time a shutdown took changes with every run: it is masked.
	took := regexp.MustCompile(`in \S+$`)
	logf := func(format string, args ...any) {
		fmt.Println(took.ReplaceAllString(fmt.Sprintf(format, args...), "in <time>"))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ch07.Run(ctx, nil, srv, ln, 5*time.Second, logf) }()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%s %q\n", resp.Status, body)

	cancel() // SIGTERM
	fmt.Println("Run:", <-done)
	// Output:
	// 200 OK "Hello, World!\n"
	// ch07: shutting down: no new connections, finishing requests in flight (up to 5s)
	// ch07: shut down cleanly in <time>
	// Run: <nil>
}
