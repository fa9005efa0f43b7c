package ch05_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/demo"
)

// Three requests on one connection: the first two keep it open, the
// third asks for it to be closed, and the server does so after answering.
// The requests go out in one write (pipelining); the answers come back in
// order.
func ExampleServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &ch05.Server{Handler: demo.New()}
	go srv.Serve(ln)
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"+
		"GET /status/418 HTTP/1.1\r\nHost: example.com\r\n\r\n"+
		"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")

	br := bufio.NewReader(c)
	for range 3 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s %q close=%v\n", resp.Status, body, resp.Close)
	}
	_, err = br.ReadByte()
	fmt.Println("then:", err)
	// Output:
	// 200 OK "Hello, World!" close=false
	// 418 I'm a teapot "I'm a teapot" close=false
	// 200 OK "Hello, World!" close=true
	// then: EOF
}
