package ch02_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// Parse a chunked POST: the head first, then the body, decoded, through
// Body; the trailer arrives after the body.
func ExampleReadRequest() {
	wire := "POST /upload?x=1 HTTP/1.1\r\n" +
		"Host: example.com\r\n" +
		"Transfer-Encoding: chunked\r\n" +
		"\r\n" +
		"5\r\nhello\r\n" +
		"7;ext=1\r\n, world\r\n" +
		"0\r\n" +
		"Checksum: abc\r\n" +
		"\r\n"
	req, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(wire)), nil)
	if err != nil {
		fmt.Println(ch02.StatusCode(err), err)
		return
	}
	fmt.Println(req.Method, req.Target, req.Proto, req.Get("host"), req.ContentLength)
	body, err := io.ReadAll(req.Body)
	fmt.Printf("%q %v %v\n", body, err, req.Trailer)
	// Output:
	// POST /upload?x=1 HTTP/1.1 example.com -1
	// "hello, world" <nil> [{Checksum abc}]
}

// A rejected request comes back as an error that carries its status.
func ExampleStatusCode() {
	for _, wire := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\nX: folded\r\n over two lines\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"",
	} {
		_, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(wire)), nil)
		fmt.Println(ch02.StatusCode(err), err)
	}
	// Output:
	// 400 ch02: obsolete line folding: " over two lines"
	// 505 ch02: HTTP version not supported: "HTTP/2.0"
	// 501 ch02: unsupported transfer coding: "gzip"
	// 0 EOF
}

// A connection loop keeps one Parser and reads request after request
// from one bufio.Reader: each parse stops where its message ends.
func ExampleParser() {
	wire := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
	br := bufio.NewReader(strings.NewReader(wire))
	var r ch02.Parser
	for {
		req, err := r.ReadRequest(br)
		if err == io.EOF {
			return // the client is done
		}
		if err != nil {
			fmt.Println(ch02.StatusCode(err), err)
			return
		}
		body, _ := io.ReadAll(req.Body) // read it all: the next request follows it
		fmt.Printf("%s %s %q\n", req.Method, req.Target, body)
	}
	// Output:
	// GET /a ""
	// POST /b "hi"
}

// Example_clTE feeds the CL.TE attack of the lesson, then a victim's
// request, to net/http's http.ReadRequest, which lets Transfer-Encoding
// win: the chunked body ends at "0\r\n\r\n", and what the front end took
// for the rest of the body becomes the start of a request that the
// victim's completes.
func Example_clTE() {
	attack := "POST /search HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 36\r\n" +
		"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nX-Ignore: "
	victim := "GET /account HTTP/1.1\r\nHost: shop.example\r\nCookie: session=victim\r\n\r\n"
	br := bufio.NewReader(strings.NewReader(attack + victim))
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(req.Body)
		fmt.Printf("%s %s body=%q\n", req.Method, req.URL.Path, body)
		for _, name := range []string{"X-Ignore", "Cookie"} {
			if v := req.Header.Get(name); v != "" {
				fmt.Printf("    %s: %s\n", name, v)
			}
		}
	}
	// Output:
	// POST /search body=""
	// GET /admin body=""
	//     X-Ignore: GET /account HTTP/1.1
	//     Cookie: session=victim
	// EOF
}
