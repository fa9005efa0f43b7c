package parsertest

import (
	"bufio"
	"net/http"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// BrowserGET is a typical browser navigation: about 500 bytes, 10 fields.
const BrowserGET = "GET /search?q=http+parser&lang=en HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=abc123def456; theme=dark; consent=yes; _ga=GA1.2.1234567890.1700000000\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"\r\n"

// BenchParse parses BrowserGET with read, which should reuse one parser
// as a connection loop does.
func BenchParse(b *testing.B, read func(*bufio.Reader) (*ch02.Request, error)) {
	bench(b, BrowserGET, func(br *bufio.Reader) {
		req, err := read(br)
		if err != nil || len(req.Header) != 10 {
			b.Fatalf("readRequest(%q) = %v, %v", BrowserGET, req, err)
		}
	})
}

// BenchNetHTTP is net/http's http.ReadRequest on BrowserGET.
func BenchNetHTTP(b *testing.B) {
	bench(b, BrowserGET, func(br *bufio.Reader) {
		req, err := http.ReadRequest(br)
		if err != nil || len(req.Header) != 9 { // Host is not in req.Header
			b.Fatalf("http.ReadRequest(%q) = %v, %v", BrowserGET, req, err)
		}
	})
}

// BenchChunked parses a chunked POST with three chunks with read and
// reads its body.
func BenchChunked(b *testing.B, read func(*bufio.Reader) (*ch02.Request, error)) {
	wire := "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"400\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"400;ext=1\r\n" + strings.Repeat("b", 1024) + "\r\n" +
		"10\r\n0123456789abcdef\r\n0\r\n\r\n"
	buf := make([]byte, 4096)
	bench(b, wire, func(br *bufio.Reader) {
		req, err := read(br)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			k, err := req.Body.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		if n != 2064 {
			b.Fatalf("read %d bytes of body, want 2064", n)
		}
	})
}

// bench runs parse over wire, from the same reset bufio.Reader each time.
func bench(b *testing.B, wire string, parse func(*bufio.Reader)) {
	rd := strings.NewReader(wire)
	br := bufio.NewReader(rd)
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(wire)
		br.Reset(rd)
		parse(br)
	}
}
