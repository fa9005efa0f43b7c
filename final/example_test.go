package final_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/httpfromscratch/course/final"
)

// Main is the whole program: it reads the command line (--host, --port,
// --workers, --access-log, --tls-cert, ...; --help lists them), serves
// the handler, and exits when the server stops, gracefully on SIGTERM or
// Ctrl+C. Built as myapp:
//
//	./myapp --port 8000 --workers 4 --access-log access.log
//
// The examples/ directory of the repository runs whole apps this way,
// with ServeMux, chi and Gin.
func ExampleMain() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Hello, World!")
	})
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello, %s!\n", r.PathValue("name"))
	})
	final.Main(mux)
}

// Server is used the way net/http's Server is: give it a handler and a
// listener, and Shutdown it when done. Here it serves one request from
// net/http's client.
func ExampleServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &final.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "Hello, %s!\n", r.URL.Query().Get("name"))
		}),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/?name=gopher")
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(resp.Status, ": ", string(body))

	// Shutdown closes the client's idle keep-alive connection and waits
	// for requests in flight (none here); Serve then returns
	// http.ErrServerClosed, as net/http's does.
	if err := srv.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-served)
	// Output:
	// 200 OK: Hello, gopher!
	// http: Server closed
}
