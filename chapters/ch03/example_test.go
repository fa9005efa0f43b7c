package ch03_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
)

// printWire prints a response one line per row, quoted, so the CRLFs show.
// The Date changes every second, so it is masked.
func printWire(raw string) {
	raw = regexp.MustCompile(`Date: [^\r]*`).ReplaceAllString(raw, "Date: <date>")
	for _, line := range strings.SplitAfter(raw, "\r\n") {
		fmt.Printf("%q\n", line)
	}
}

func ExampleWriteResponse() {
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	req := &ch02.Request{Method: "HEAD", Target: "/", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	resp := &ch03.Response{
		StatusCode: 405,
		Header:     []ch02.Field{{Name: "Allow", Value: "GET"}},
		Body:       []byte("use GET\n"),
		Close:      true,
	}
	if err := ch03.WriteResponse(w, req, resp); err != nil {
		fmt.Println(err)
	}
	w.Flush()
	printWire(out.String()) // HEAD: the headers a GET would get, no body
	// Output:
	// "HTTP/1.1 405 Method Not Allowed\r\n"
	// "Date: <date>\r\n"
	// "Content-Type: text/plain; charset=utf-8\r\n"
	// "Content-Length: 8\r\n"
	// "Connection: close\r\n"
	// "Allow: GET\r\n"
	// "\r\n"
	// ""
}

func ExampleAppendHeader() {
	line, err := ch03.AppendHeader(nil, "Location", "/home")
	fmt.Printf("%q %v\n", line, err)
	_, err = ch03.AppendHeader(nil, "Location", "/home\r\nSet-Cookie: admin=1")
	fmt.Println(err)
	// Output:
	// "Location: /home\r\n" <nil>
	// ch03: invalid header field value: "/home\r\nSet-Cookie: admin=1"
}

func ExampleChunkedWriter() {
	var body bytes.Buffer
	cw := ch03.NewChunkedWriter(&body)
	fmt.Fprint(cw, "Hello")
	fmt.Fprint(cw, "") // writes nothing: an empty chunk would end the body
	fmt.Fprint(cw, ", World!\n")
	cw.Close()
	fmt.Printf("%q\n", body.String())
	// Output:
	// "5\r\nHello\r\n9\r\n, World!\n\r\n0\r\n\r\n"
}

// Example_server runs the chapter's server on a free port and sends it one
// request, as curl would.
func Example_server() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &ch01.Server{Handler: &ch03.Handler{}}
	go srv.Serve(ln)
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	reply, err := io.ReadAll(c) // the server closes after one response
	if err != nil {
		fmt.Println(err)
	}
	printWire(string(reply))
	// Output:
	// "HTTP/1.1 200 OK\r\n"
	// "Date: <date>\r\n"
	// "Content-Type: text/plain; charset=utf-8\r\n"
	// "Content-Length: 13\r\n"
	// "Connection: close\r\n"
	// "\r\n"
	// "Hello, World!"
}
