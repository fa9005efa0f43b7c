package ch08_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch08"
)

// entry is one request as the access log sees it: Apache's documentation's
// example, at a fixed time in a fixed zone so the lines never change.
func entry() ch08.Entry {
	return ch08.Entry{
		RemoteAddr: "127.0.0.1:52344",
		Start:      time.Date(2000, 10, 10, 13, 55, 36, 420_000_000, time.FixedZone("", -7*3600)),
		Method:     "GET", RequestURI: "/apache_pb.gif", Proto: "HTTP/1.0",
		Status: 200, Bytes: 2326, Duration: 420 * time.Microsecond,
		Referer:   "http://www.example.com/start.html",
		UserAgent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
	}
}

// The same request in each format: the console's short line, Apache's
// Common and Combined Log Formats, and JSON.
func ExampleFormat() {
	e := entry()
	for _, f := range []ch08.Format{ch08.Console, ch08.Common, ch08.Combined, ch08.JSON} {
		fmt.Printf("%s:\n%s", f, f.Append(nil, &e, nil))
	}
	// Output:
	// console:
	// [13:55:36] 127.0.0.1 "GET /apache_pb.gif HTTP/1.0" 200 2326 0.42ms
	// common:
	// 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326
	// combined:
	// 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
	// json:
	// {"time":"2000-10-10T13:55:36.420-07:00","remote":"127.0.0.1","method":"GET","uri":"/apache_pb.gif","proto":"HTTP/1.0","status":200,"bytes":2326,"duration_ms":0.42,"referer":"http://www.example.com/start.html","user_agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}
}

// A Logger keeps lines in its buffer until the flush timer, Flush or
// Close writes them out, whole. Here the timer is set to a minute, so
// only Flush and Close write.
func ExampleLogger() {
	var out bytes.Buffer
	accessLog := ch08.New(&out, ch08.Common, time.Minute)

	e := entry()
	accessLog.Log(&e)
	fmt.Println("after Log:", out.Len(), "bytes written")

	if err := accessLog.Flush(); err != nil {
		fmt.Println(err)
	}
	fmt.Print("after Flush: ", out.String())

	e.RequestURI, e.Status, e.Bytes = "/missing", 404, 0
	accessLog.Log(&e)
	if err := accessLog.Close(); err != nil { // flushes, and stops the timer
		fmt.Println(err)
	}
	fmt.Print("after Close:\n", out.String())

	accessLog.Log(&e) // dropped: the log is closed
	fmt.Println(accessLog.Close())
	// Output:
	// after Log: 0 bytes written
	// after Flush: 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326
	// after Close:
	// 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326
	// 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /missing HTTP/1.0" 404 -
	// ch08: access log closed
}

// The access log hangs on chapter 5's OnResponse hook: NewEntry turns
// what the hook reports into an Entry, and the Logger writes its line.
// The time changes with every run, so it is masked.
func ExampleNewEntry() {
	var out bytes.Buffer
	accessLog := ch08.New(&out, ch08.Combined, 0) // flushed every second, and on Close

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &ch05.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "Hello, World!")
		}),
		QuietRequests: true, // requests are the access log's business
		OnResponse: func(r *http.Request, status int, written int64, start time.Time) {
			e := ch08.NewEntry(r, status, written, start)
			accessLog.Log(&e)
		},
	}
	go srv.Serve(ln)

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: example.com\r\n"+
		"User-Agent: curl/8.5.0\r\nConnection: close\r\n\r\n")
	io.Copy(io.Discard, c) // the whole response: the hook has run
	c.Close()

	srv.Close()
	if err := accessLog.Close(); err != nil { // after the last response: nothing is lost
		fmt.Println(err)
	}
	fmt.Print(regexp.MustCompile(`\[[^]]*\]`).ReplaceAllString(out.String(), "[<time>]"))
	// Output:
	// 127.0.0.1 - - [<time>] "GET /hello HTTP/1.1" 200 14 "-" "curl/8.5.0"
}
