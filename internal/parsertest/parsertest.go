// Package parsertest holds the tests every request parser of the course
// must pass: chapter 2's plain parser and chapter 9's fast one are judged
// by the same tables, limits, conformance corpus and differential cases,
// so that they give the same verdict on every input.
package parsertest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// ReadFunc is a parser under test: it reads one request from br within
// lim (nil for the defaults), as ch02.ReadRequest does. It may reuse
// memory from one call to the next, as a connection's parser does.
type ReadFunc func(br *bufio.Reader, lim *ch02.Limits) (*ch02.Request, error)

// Run runs every table of this package against read, each as a subtest.
func Run(t *testing.T, read ReadFunc) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, ReadFunc)
	}{
		{"RequestLine", testRequestLine},
		{"Fields", testFields},
		{"HeaderLimits", testHeaderLimits},
		{"Host", testHost},
		{"ContentLength", testContentLength},
		{"TransferEncoding", testTransferEncoding},
		{"Chunked", testChunked},
		{"RefusedEarly", testRefusedEarly},
		{"FieldSizeLimit", testFieldSizeLimit},
		{"FieldSizeError", testFieldSizeError},
		{"TrailerFields", testTrailerFields},
		{"TrailerFieldsOnlyInTrailers", testTrailerFieldsOnlyInTrailers},
		{"EOF", testEOF},
		{"BodyUnreadStaysInReader", testBodyUnreadStaysInReader},
		{"BodyErrorIsSticky", testBodyErrorIsSticky},
		{"ReadError", testReadError},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, read) })
	}
}

func testEOF(t *testing.T, read ReadFunc) {
	cases := []struct {
		name string
		in   string
		want error // io.EOF: no answer; ErrTruncated: a request was cut short
	}{
		{"nothing", "", io.EOF},
		{"one empty line", "\r\n", io.EOF},
		{"half an empty line", "\r", ch02.ErrTruncated},
		{"part of a request-line", "GET", ch02.ErrTruncated},
		{"empty line then part", "\r\nG", ch02.ErrTruncated},
		{"whole request-line", "GET / HTTP/1.1\r\n", ch02.ErrTruncated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rd := range readers {
				_, err := read(rd.new(tc.in), nil)
				if tc.want == io.EOF && err != io.EOF {
					t.Errorf("%s: readRequest(%q) = %v, want io.EOF exactly", rd.name, tc.in, err)
				}
				if tc.want != io.EOF && (!errors.Is(err, tc.want) || !errors.Is(err, io.ErrUnexpectedEOF) || ch02.StatusCode(err) != 400) {
					t.Errorf("%s: readRequest(%q) = %v, want %v", rd.name, tc.in, err, tc.want)
				}
			}
		})
	}
}

// Pipeline reads several requests from one stream with read, which must
// reuse one parser: each parse must stop exactly at the end of its
// message, leaving the next one in the bufio.Reader, and the next parse
// must not change the strings of a request already returned. It returns
// the first request read.
func Pipeline(t *testing.T, read func(*bufio.Reader) (*ch02.Request, error)) *ch02.Request {
	in := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /b HTTP/1.1\r\nHost: y\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n" +
		"\r\n" + // one empty line between requests is ignored (RFC 9112 2.2)
		"GET /c HTTP/1.0\r\n\r\n" +
		"NEXT"
	var first *ch02.Request
	for _, rd := range readers {
		br := rd.new(in)
		var got []string
		var firstMethod, firstHost string
		for i := range 3 {
			req, err := read(br)
			if err != nil {
				t.Fatalf("%s: readRequest(%q) = %v after %q", rd.name, in, err, got)
			}
			if i == 0 {
				first, firstMethod, firstHost = req, req.Method, req.Get("Host")
			}
			body, err := io.ReadAll(req.Body)
			if err != nil {
				t.Fatalf("%s: reading body of %s: %v", rd.name, req.Target, err)
			}
			got = append(got, fmt.Sprintf("%s %s %s %q %v", req.Method, req.Target, req.Get("host"), body, req.Trailer))
		}
		want := []string{`POST /a x "abc" []`, `POST /b y "de" [{T 1}]`, `GET /c  "" []`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: readRequest(%q) = %q, want %q", rd.name, in, got, want)
		}
		if firstMethod != "POST" || firstHost != "x" {
			t.Errorf("%s: first request's strings changed: %q %q", rd.name, firstMethod, firstHost)
		}
		rest, _ := io.ReadAll(br)
		if string(rest) != "NEXT" {
			t.Errorf("%s: after three requests, left %q in the reader, want %q", rd.name, rest, "NEXT")
		}
	}
	return first
}

// testBodyUnreadStaysInReader checks that a parse consumes the head only:
// the body is left for Body.
func testBodyUnreadStaysInReader(t *testing.T, read ReadFunc) {
	in := "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbodyGET"
	br := bufio.NewReader(strings.NewReader(in))
	if _, err := read(br, nil); err != nil {
		t.Fatalf("readRequest(%q) = %v", in, err)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "bodyGET" {
		t.Errorf("readRequest(%q) left %q, want %q", in, rest, "bodyGET")
	}
}

func testBodyErrorIsSticky(t *testing.T, read ReadFunc) {
	in := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
	req, err := read(bufio.NewReader(strings.NewReader(in)), nil)
	if err != nil {
		t.Fatalf("readRequest(%q) = %v", in, err)
	}
	buf := make([]byte, 8)
	for i := range 2 {
		if _, err := req.Body.Read(buf); !errors.Is(err, ch02.ErrChunk) {
			t.Errorf("readRequest(%q): Body.Read #%d = %v, want %v", in, i, err, ch02.ErrChunk)
		}
	}
}

// testReadError checks that a failing connection is reported as itself,
// not as a parse error.
func testReadError(t *testing.T, read ReadFunc) {
	boom := errors.New("connection reset")
	for _, in := range []string{"", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n"} {
		br := bufio.NewReader(io.MultiReader(strings.NewReader(in), ErrReader{boom}))
		_, err := read(br, nil)
		if !errors.Is(err, boom) {
			t.Errorf("readRequest(%q + error) = %v, want %v", in, err, boom)
		}
		var se *ch02.StatusError
		if errors.As(err, &se) {
			t.Errorf("readRequest(%q + error) = %v, a StatusError, want a plain read error", in, err)
		}
	}
}

// ErrReader is a reader that fails with Err.
type ErrReader struct{ Err error }

// Read returns 0 and r.Err.
func (r ErrReader) Read([]byte) (int, error) { return 0, r.Err }
