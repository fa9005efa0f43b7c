package ch03

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// newRequest returns a parsed request as ch02 would: method, target "/",
// and the version spelled "HTTP/1.x".
func newRequest(method string, minor int) *ch02.Request {
	return &ch02.Request{
		Method: method, Target: "/",
		Proto: "HTTP/1." + string(rune('0'+minor)), ProtoMajor: 1, ProtoMinor: minor,
	}
}

// writeResponse runs WriteResponse into a buffer and returns what it wrote.
func writeResponse(t *testing.T, req *ch02.Request, resp *Response) (string, error) {
	t.Helper()
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	err := WriteResponse(bw, req, resp)
	if ferr := bw.Flush(); ferr != nil {
		t.Fatalf("Flush: %v", ferr)
	}
	return out.String(), err
}

const date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"

func TestWriteResponse(t *testing.T) {
	setClock(t, fixedTime)
	hello := []byte("Hello, World!")
	tests := []struct {
		name string
		req  *ch02.Request
		resp Response
		want string
	}{
		{
			name: "hello",
			req:  newRequest("GET", 1),
			resp: Response{StatusCode: 200, Body: hello, Close: true},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!",
		},
		{
			name: "HEAD gets GET's headers and no body",
			req:  newRequest("HEAD", 1),
			resp: Response{StatusCode: 200, Body: hello, Close: true},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nConnection: close\r\n\r\n",
		},
		{
			name: "HTTP/1.0 request gets an HTTP/1.1 status line",
			req:  newRequest("GET", 0),
			resp: Response{StatusCode: 200, Body: hello, Close: true},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!",
		},
		{
			name: "HTTP/1.0 kept open is told keep-alive",
			req:  newRequest("GET", 0),
			resp: Response{StatusCode: 200, Body: hello},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\nHello, World!",
		},
		{
			name: "HTTP/1.1 kept open needs no Connection field",
			req:  newRequest("GET", 1),
			resp: Response{StatusCode: 200, Body: hello},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!",
		},
		{
			name: "caller's fields follow the generated ones in order",
			req:  newRequest("POST", 1),
			resp: Response{StatusCode: 405, Body: []byte("Method Not Allowed\n"), Close: true,
				Header: []ch02.Field{{Name: "Allow", Value: "GET, HEAD"}, {Name: "X-B", Value: "2"}, {Name: "X-A", Value: "1"}}},
			want: "HTTP/1.1 405 Method Not Allowed\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\nConnection: close\r\n" +
				"Allow: GET, HEAD\r\nX-B: 2\r\nX-A: 1\r\n\r\nMethod Not Allowed\n",
		},
		{
			name: "caller's Content-Type replaces the default",
			req:  newRequest("GET", 1),
			resp: Response{Body: []byte("{}"), Header: []ch02.Field{{Name: "content-type", Value: "application/json"}}},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Length: 2\r\ncontent-type: application/json\r\n\r\n{}",
		},
		{
			name: "caller's Date replaces the generated one",
			req:  newRequest("GET", 1),
			resp: Response{Body: hello, Header: []ch02.Field{{Name: "Date", Value: "Thu, 01 Jan 1970 00:00:00 GMT"}}},
			want: "HTTP/1.1 200 OK\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\nHello, World!",
		},
		{
			name: "zero status code means 200",
			req:  newRequest("GET", 1),
			resp: Response{Body: hello},
			want: "HTTP/1.1 200 OK\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!",
		},
		{
			name: "empty body still says Content-Length 0, no type",
			req:  newRequest("GET", 1),
			resp: Response{StatusCode: 200},
			want: "HTTP/1.1 200 OK\r\n" + date + "Content-Length: 0\r\n\r\n",
		},
		{
			name: "204 has no Content-Length",
			req:  newRequest("DELETE", 1),
			resp: Response{StatusCode: 204},
			want: "HTTP/1.1 204 No Content\r\n" + date + "\r\n",
		},
		{
			name: "304 has no Content-Length",
			req:  newRequest("GET", 1),
			resp: Response{StatusCode: 304, Header: []ch02.Field{{Name: "ETag", Value: `"v1"`}}},
			want: "HTTP/1.1 304 Not Modified\r\n" + date + "ETag: \"v1\"\r\n\r\n",
		},
		{
			name: "unknown status has an empty reason phrase",
			req:  newRequest("GET", 1),
			resp: Response{StatusCode: 299, Body: []byte("x")},
			want: "HTTP/1.1 299 \r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\nx",
		},
		{
			name: "nil request is answered as HTTP/1.1",
			req:  nil,
			resp: Response{StatusCode: 400, Body: []byte("Bad Request\n"), Close: true},
			want: "HTTP/1.1 400 Bad Request\r\n" + date +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\nConnection: close\r\n\r\nBad Request\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := writeResponse(t, tt.req, &tt.resp)
			if err != nil || got != tt.want {
				t.Errorf("WriteResponse(%+v) = %q, %v\nwant %q, nil", tt.resp, got, err, tt.want)
			}
		})
	}
}

func TestWriteResponseRefused(t *testing.T) {
	tests := []struct {
		name    string
		resp    Response
		wantErr error
	}{
		{"status below 100", Response{StatusCode: 99}, ErrBadStatusCode},
		{"status above 599", Response{StatusCode: 600}, ErrBadStatusCode},
		{"negative status", Response{StatusCode: -200}, ErrBadStatusCode},
		{"header name not a token", Response{Header: []ch02.Field{{Name: "Bad Name", Value: "v"}}}, ErrInvalidHeaderName},
		{"response splitting", Response{Header: []ch02.Field{{Name: "Location", Value: "/a\r\nSet-Cookie: admin=1"}}}, ErrInvalidHeaderValue},
		{"NUL in value", Response{Header: []ch02.Field{{Name: "X-A", Value: "\x00"}}}, ErrInvalidHeaderValue},
		{"Content-Length is derived", Response{Header: []ch02.Field{{Name: "Content-Length", Value: "5"}}}, ErrReservedHeader},
		{"Transfer-Encoding is derived", Response{Header: []ch02.Field{{Name: "transfer-encoding", Value: "chunked"}}}, ErrReservedHeader},
		{"Connection is derived", Response{Header: []ch02.Field{{Name: "CONNECTION", Value: "keep-alive"}}}, ErrReservedHeader},
		{"body on 204", Response{StatusCode: 204, Body: []byte("x")}, ErrBodyNotAllowed},
		{"body on 304", Response{StatusCode: 304, Body: []byte("x")}, ErrBodyNotAllowed},
		{"body on 1xx", Response{StatusCode: 103, Body: []byte("x")}, ErrBodyNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := writeResponse(t, newRequest("GET", 1), &tt.resp)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("WriteResponse(%+v) error = %v, want %v", tt.resp, err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("WriteResponse(%+v) wrote %q before failing, want nothing", tt.resp, got)
			}
		})
	}
}

func TestAppendHeadFraming(t *testing.T) {
	setClock(t, fixedTime)
	tests := []struct {
		name    string
		req     *ch02.Request
		code    int
		length  int64
		framing Framing
		fields  string // the header lines after Date
	}{
		{"known length", newRequest("GET", 1), 200, 5, LengthDelimited,
			"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"},
		{"unknown length to HTTP/1.1 is chunked", newRequest("GET", 1), 200, UnknownLength, Chunked,
			"Content-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"},
		{"unknown length to HTTP/1.0 runs until close", newRequest("GET", 0), 200, UnknownLength, CloseDelimited,
			"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"},
		{"HEAD with known length", newRequest("HEAD", 1), 200, 5, NoBody,
			"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"},
		{"HEAD with unknown length", newRequest("HEAD", 1), 200, UnknownLength, NoBody,
			"Content-Type: text/plain; charset=utf-8\r\n"},
		{"HEAD from HTTP/1.0 with unknown length need not close", newRequest("HEAD", 0), 200, UnknownLength, NoBody,
			"Content-Type: text/plain; charset=utf-8\r\nConnection: keep-alive\r\n"},
		{"204 with unknown length", newRequest("GET", 1), 204, UnknownLength, NoBody, ""},
		{"100 Continue", newRequest("POST", 1), 100, 0, NoBody, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, framing, err := AppendHead(nil, tt.req, &Response{StatusCode: tt.code}, tt.length)
			want := string(AppendStatusLine(nil, tt.code)) + date + tt.fields + "\r\n"
			if err != nil || string(got) != want || framing != tt.framing {
				t.Errorf("AppendHead(%s %d, length %d) = %q, %v, %v\nwant %q, %v, nil",
					tt.req.Method, tt.code, tt.length, got, framing, err, want, tt.framing)
			}
		})
	}
}

func TestChooseFraming(t *testing.T) {
	tests := []struct {
		code         int
		head, http11 bool
		length       int64
		want         Framing
	}{
		{200, false, true, 0, LengthDelimited},
		{200, false, true, UnknownLength, Chunked},
		{200, false, false, UnknownLength, CloseDelimited},
		{200, true, true, 5, NoBody},
		{200, true, false, UnknownLength, NoBody},
		{101, false, true, UnknownLength, NoBody},
		{204, false, true, UnknownLength, NoBody},
		{304, false, false, 7, NoBody},
		{404, false, true, 9, LengthDelimited},
	}
	for _, tt := range tests {
		if got := ChooseFraming(tt.code, tt.head, tt.http11, tt.length); got != tt.want {
			t.Errorf("ChooseFraming(%d, head %v, HTTP/1.1 %v, length %d) = %v, want %v",
				tt.code, tt.head, tt.http11, tt.length, got, tt.want)
		}
	}
}

// TestWriteResponseNetHTTPReads checks our bytes against an independent
// parser: net/http's client must read back the same status, fields and body.
func TestWriteResponseNetHTTPReads(t *testing.T) {
	resp := Response{StatusCode: 405, Body: []byte("nope\n"), Close: true,
		Header: []ch02.Field{{Name: "Allow", Value: "GET, HEAD"}}}
	raw, err := writeResponse(t, newRequest("PUT", 1), &resp)
	if err != nil {
		t.Fatalf("WriteResponse: %v", err)
	}
	got, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("http.ReadResponse(%q): %v", raw, err)
	}
	body, err := io.ReadAll(got.Body)
	if err != nil {
		t.Fatalf("reading body of %q: %v", raw, err)
	}
	if got.StatusCode != 405 || got.Header.Get("Allow") != "GET, HEAD" || !got.Close ||
		got.ContentLength != 5 || string(body) != "nope\n" {
		t.Errorf("http.ReadResponse(%q) = %d %v close=%v length=%d body %q", raw, got.StatusCode, got.Header, got.Close, got.ContentLength, body)
	}
	if _, err := http.ParseTime(got.Header.Get("Date")); err != nil {
		t.Errorf("Date %q is not an HTTP date: %v", got.Header.Get("Date"), err)
	}
}

func TestWriteResponseNoAlloc(t *testing.T) {
	setClock(t, fixedTime)
	bw := bufio.NewWriter(io.Discard)
	req := newRequest("GET", 1)
	resp := &Response{StatusCode: 200, Body: []byte("Hello, World!"), Close: true}
	n := testing.AllocsPerRun(100, func() {
		if err := WriteResponse(bw, req, resp); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
	})
	if n != 0 {
		t.Errorf("WriteResponse of the hello response: %v allocations, want 0", n)
	}
}

func TestWriteError(t *testing.T) {
	setClock(t, fixedTime)
	// errReply is the reply WriteError owes: the status, and the body
	// with a Content-Length that matches it.
	errReply := func(status, body string) string {
		return "HTTP/1.1 " + status + "\r\n" + date + "Content-Type: text/plain; charset=utf-8\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n" +
			"X-Content-Type-Options: nosniff\r\n\r\n" + body
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"status error", &ch02.StatusError{Code: 431, Err: ch02.ErrHeaderTooLarge},
			errReply("431 Request Header Fields Too Large", "Request Header Fields Too Large: ch02: header section too large\n")},
		{"wrapped status error", fmt.Errorf("read: %w", &ch02.StatusError{Code: 505, Err: ch02.ErrVersionNotSupported}),
			errReply("505 HTTP Version Not Supported", "HTTP Version Not Supported: read: ch02: HTTP version not supported\n")},
		{"error without a status is 400", errors.New("odd"),
			errReply("400 Bad Request", "Bad Request: odd\n")},
		{"EOF owes no answer", io.EOF, ""},
		{"nil owes no answer", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			bw := bufio.NewWriter(&out)
			err := WriteError(bw, tt.err)
			bw.Flush()
			if err != nil || out.String() != tt.want {
				t.Errorf("WriteError(%v) = %q, %v\nwant %q, nil", tt.err, out.String(), err, tt.want)
			}
		})
	}
}
