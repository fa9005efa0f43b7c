package demo_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/httpfromscratch/course/demo"
)

// The demo app is an ordinary http.Handler: here it runs without any
// server, through a ResponseRecorder. Any server, net/http's or the
// course's, serves it the same way.
func ExampleNew() {
	app := demo.New()
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/", nil),
		httptest.NewRequest("GET", "/status/418", nil),
		httptest.NewRequest("POST", "/echo?lang=go", strings.NewReader("hi")),
		httptest.NewRequest("DELETE", "/", nil),
	} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		fmt.Printf("%s %s -> %d %q\n", req.Method, req.RequestURI, rec.Code, body)
	}
	// Output:
	// GET / -> 200 "Hello, World!"
	// GET /status/418 -> 418 "I'm a teapot"
	// POST /echo?lang=go -> 200 "{\"method\":\"POST\",\"uri\":\"/echo?lang=go\",\"proto\":\"HTTP/1.1\",\"host\":\"example.com\",\"headers\":{},\"body\":\"hi\"}\n"
	// DELETE / -> 405 "405 method not allowed\n"
}
