package ch01_test

import (
	"fmt"
	"io"
	"net"

	"github.com/httpfromscratch/course/chapters/ch01"
)

// An echo server on a free loopback port: a client writes, half-closes,
// and reads back what it wrote.
func ExampleServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &ch01.Server{} // Handler nil: echo
	go srv.Serve(ln)
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "hello, TCP\n")
	c.(*net.TCPConn).CloseWrite() // FIN: "I am done sending"
	reply, _ := io.ReadAll(c)     // the echo, then the server's FIN
	fmt.Print(string(reply))
	// Output: hello, TCP
}
