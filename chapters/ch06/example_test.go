package ch06_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch06"
)

// A prefork server's main. The same binary is the master and, started
// again by the master once per worker, each of the workers: IsWorker
// tells them apart. The master opens the socket and supervises; a worker
// serves the socket it inherited until the master sends SIGTERM, or dies.
// Built as myserver, `./myserver` runs a master and four workers on port
// 8080; Ctrl+C stops them all.
func ExampleMaster() {
	if ch06.IsWorker(os.Getenv) {
		// Ctrl+C reaches the whole process group: the master decides, and
		// sends SIGTERM.
		signal.Ignore(os.Interrupt)
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		if err := ch06.WatchMaster(stop); err != nil { // the master died: stop too
			log.Fatal(err)
		}
		ln, err := ch06.InheritedListener()
		if err != nil {
			log.Fatal(err)
		}
		if err := ch06.NotifyReady(); err != nil { // connections queue in the socket already
			log.Fatal(err)
		}
		srv := &ch05.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "Hello from pid %d\n", os.Getpid())
			}),
		}
		go srv.Serve(ln)
		<-ctx.Done()
		srv.Close() // chapter 7 makes this graceful
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	m := &ch06.Master{
		Workers: 4,
		Args:    os.Args[1:], // the workers get the master's command line
		Logf:    log.Printf,  // workers starting, exiting, replaced
	}
	if err := m.Run(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

// A master puts WorkerEnv=1 in each worker's environment, with its slot
// in WorkerSlotEnv; IsWorker looks for the mark.
func ExampleIsWorker() {
	env := map[string]string{ch06.WorkerEnv: "1", ch06.WorkerSlotEnv: "2"} // a master's third worker
	fmt.Println("worker:", ch06.IsWorker(func(name string) string { return env[name] }))
	fmt.Println("master:", ch06.IsWorker(func(string) string { return "" }))
	fmt.Println("slot:", env[ch06.WorkerSlotEnv])
	// Output:
	// worker: true
	// master: false
	// slot: 2
}

// exampleWorkerEnv marks the workers ExampleMaster_Run starts: this test
// binary, executed again, which init then turns into a worker.
const exampleWorkerEnv = "CH06_EXAMPLE_WORKER"

func init() {
	if ch06.IsWorker(os.Getenv) && os.Getenv(exampleWorkerEnv) == "1" {
		os.Exit(exampleWorker())
	}
}

// exampleWorker is the worker half of ExampleMaster: chapter 5's server,
// answering with its pid, on the inherited socket until SIGTERM or the
// master's death.
func exampleWorker() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := ch06.WatchMaster(stop); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := ch06.InheritedListener()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := ch06.NotifyReady(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &ch05.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getpid())
	})}
	go srv.Serve(ln)
	<-ctx.Done()
	srv.Close()
	return 0
}

// Run with two workers. Here the workers are this example's test binary,
// run again: its init sees the environment the master gives it and
// serves as a worker (answering with its pid) instead of running the
// examples. In a real program, Executable is left empty and the master
// re-executes itself, as in the Master example.
func ExampleMaster_Run() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	m := &ch06.Master{
		Workers:    2,
		Executable: os.Args[0],
		Env:        []string{exampleWorkerEnv + "=1"},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, ln) }()

	// The socket listens before any worker runs: the connection waits in
	// its queue until a worker accepts it.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	pid, _ := strconv.Atoi(string(body))
	fmt.Println("served by a worker:", pid != os.Getpid() && slices.Contains(m.Pids(), pid))

	cancel() // SIGTERM to every worker; Run waits for them to exit
	fmt.Println("Run:", <-done)
	fmt.Println("workers left:", len(m.Pids()))
	// Output:
	// served by a worker: true
	// Run: <nil>
	// workers left: 0
}
