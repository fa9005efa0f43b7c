package ch04_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/demo"
)

// The bridge without a network: chapter 2 parses the bytes, NewRequest
// turns the parse into an *http.Request, an ordinary handler answers
// through a Response, and Finish writes the head with the length of the
// body the handler wrote.
func ExampleNewResponse() {
	raw := "GET /hello?name=gopher HTTP/1.1\r\nHost: example.com\r\n\r\n"
	pr, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		panic(err)
	}
	r, err := ch04.NewRequest(context.Background(), pr, "192.0.2.1:1234")
	if err != nil {
		panic(err)
	}

	var out strings.Builder
	bw := bufio.NewWriter(&out)
	w := ch04.NewResponse(r, bw, false) // false: this connection closes after the response
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello, %s!\n", r.URL.Query().Get("name"))
	})
	ch04.Serve(hello, w, r)
	w.Finish()
	bw.Flush()

	for _, line := range strings.Split(out.String(), "\r\n") {
		if strings.HasPrefix(line, "Date: ") {
			line = "Date: <now>" // it changes every second
		}
		fmt.Println(line)
	}
	// Output:
	// HTTP/1.1 200 OK
	// Date: <now>
	// Content-Type: text/plain; charset=utf-8
	// Content-Length: 15
	// Connection: close
	//
	// Hello, gopher!
}

// A Server runs any http.Handler: here the course's demo app, asked by
// net/http's own client.
func ExampleServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &ch04.Server{Handler: demo.New()}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/stream?n=2")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, resp.TransferEncoding, resp.Close)
	fmt.Print(string(body))
	// Output:
	// 200 OK [chunked] true
	// line 1
	// line 2
}
