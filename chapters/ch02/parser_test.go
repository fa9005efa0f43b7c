package ch02

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestReadRequestEOF(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error // io.EOF: no answer; ErrTruncated: a request was cut short
	}{
		{"nothing", "", io.EOF},
		{"one empty line", "\r\n", io.EOF},
		{"half an empty line", "\r", ErrTruncated},
		{"part of a request-line", "GET", ErrTruncated},
		{"empty line then part", "\r\nG", ErrTruncated},
		{"whole request-line", "GET / HTTP/1.1\r\n", ErrTruncated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rd := range readers {
				_, err := ReadRequest(rd.new(tc.in), nil)
				if tc.want == io.EOF && err != io.EOF {
					t.Errorf("%s: readRequest(%q) = %v, want io.EOF exactly", rd.name, tc.in, err)
				}
				if tc.want != io.EOF && (!errors.Is(err, tc.want) || !errors.Is(err, io.ErrUnexpectedEOF) || StatusCode(err) != 400) {
					t.Errorf("%s: readRequest(%q) = %v, want %v", rd.name, tc.in, err, tc.want)
				}
			}
		})
	}
}

// TestReaderPipeline reads several requests from one stream with one
// Parser: each parse must stop exactly at the end of its message, leaving
// the next one in the bufio.Reader, and reusing the Parser must not
// change the strings of a request already returned.
func TestReaderPipeline(t *testing.T) {
	in := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /b HTTP/1.1\r\nHost: y\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n" +
		"\r\n" + // one empty line between requests is ignored (RFC 9112 2.2)
		"GET /c HTTP/1.0\r\n\r\n" +
		"NEXT"
	for _, rd := range readers {
		br := rd.new(in)
		var r Parser
		var got []string
		var first *Request
		var firstMethod, firstHost string
		for range 3 {
			req, err := r.ReadRequest(br)
			if err != nil {
				t.Fatalf("%s: readRequest(%q) = %v after %q", rd.name, in, err, got)
			}
			if first == nil {
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
		if first != &r.req {
			t.Errorf("%s: Parser did not reuse its Request", rd.name)
		}
		rest, _ := io.ReadAll(br)
		if string(rest) != "NEXT" {
			t.Errorf("%s: after three requests, left %q in the reader, want %q", rd.name, rest, "NEXT")
		}
	}
}

// TestBodyUnreadStaysInReader checks that ReadRequest consumes the head
// only: the body is left for Body, even when the parse fails later.
func TestBodyUnreadStaysInReader(t *testing.T) {
	in := "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbodyGET"
	br := bufio.NewReader(strings.NewReader(in))
	if _, err := ReadRequest(br, nil); err != nil {
		t.Fatalf("readRequest(%q) = %v", in, err)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "bodyGET" {
		t.Errorf("readRequest(%q) left %q, want %q", in, rest, "bodyGET")
	}
}

func TestBodyErrorIsSticky(t *testing.T) {
	in := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
	req, err := ReadRequest(bufio.NewReader(strings.NewReader(in)), nil)
	if err != nil {
		t.Fatalf("readRequest(%q) = %v", in, err)
	}
	buf := make([]byte, 8)
	for i := range 2 {
		if _, err := req.Body.Read(buf); !errors.Is(err, ErrChunk) {
			t.Errorf("readRequest(%q): Body.Read #%d = %v, want %v", in, i, err, ErrChunk)
		}
	}
}

func TestGetValues(t *testing.T) {
	req := &Request{Header: hdr("Accept", "a", "X", "1", "accept", "b")}
	if got := req.Get("ACCEPT"); got != "a" {
		t.Errorf("Get(ACCEPT) = %q, want %q", got, "a")
	}
	if got := req.Get("missing"); got != "" {
		t.Errorf("Get(missing) = %q, want empty", got)
	}
	if got := req.Values("Accept"); fmt.Sprint(got) != "[a b]" {
		t.Errorf("Values(Accept) = %q, want [a b]", got)
	}
	if got := req.Values("missing"); got != nil {
		t.Errorf("Values(missing) = %q, want nil", got)
	}
}

func TestStatusCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{io.EOF, 0},
		{errors.New("some read error"), 400},
		{&StatusError{Code: 505, Err: ErrVersionNotSupported}, 505},
		{fmt.Errorf("wrapped: %w", &StatusError{Code: 431, Err: ErrHeaderTooLarge}), 431},
		{truncated(), 400},
	}
	for _, tc := range cases {
		if got := StatusCode(tc.err); got != tc.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestReadError checks that a failing connection is reported as itself,
// not as a parse error.
func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, in := range []string{"", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n"} {
		br := bufio.NewReader(io.MultiReader(strings.NewReader(in), errReader{boom}))
		_, err := ReadRequest(br, nil)
		if !errors.Is(err, boom) {
			t.Errorf("readRequest(%q + error) = %v, want %v", in, err, boom)
		}
		var se *StatusError
		if errors.As(err, &se) {
			t.Errorf("readRequest(%q + error) = %v, a StatusError, want a plain read error", in, err)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestStatusCodesMatchNetHTTP pins the numeric codes against net/http's
// names, so a typo in one cannot pass.
func TestStatusCodesMatchNetHTTP(t *testing.T) {
	for code, name := range map[int]string{
		http.StatusRequestEntityTooLarge:       "Content Too Large",
		http.StatusRequestURITooLong:           "URI Too Long",
		http.StatusRequestHeaderFieldsTooLarge: "Request Header Fields Too Large",
		http.StatusNotImplemented:              "Not Implemented",
		http.StatusHTTPVersionNotSupported:     "HTTP Version Not Supported",
		http.StatusBadRequest:                  "Bad Request",
	} {
		if got := statusText(code); got != name {
			t.Errorf("statusText(%d) = %q, want %q", code, got, name)
		}
	}
}
