package parsertest

import (
	"bufio"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// want is what a table case expects: either a request (method non-empty)
// or an error with its status and sentinel.
type want struct {
	method, target, proto string
	minor                 int
	header                []ch02.Field
	body                  string
	contentLength         int64
	chunked               bool
	trailer               []ch02.Field

	code int   // the status of the expected error; 0 when accepted
	err  error // the sentinel the error must wrap
}

// hdr builds a field list from name, value pairs.
func hdr(nv ...string) []ch02.Field {
	var fs []ch02.Field
	for i := 0; i+1 < len(nv); i += 2 {
		fs = append(fs, ch02.Field{Name: nv[i], Value: nv[i+1]})
	}
	return fs
}

// get is a GET / HTTP/1.1 with Host: x and the given extra fields.
func get(extra ...string) want {
	return want{method: "GET", target: "/", proto: "HTTP/1.1", minor: 1, header: append(hdr("Host", "x"), hdr(extra...)...)}
}

func bad(code int, err error) want { return want{code: code, err: err} }

// parseCase is one table row: raw wire bytes and what they must parse to.
type parseCase struct {
	name string
	in   string
	lim  *ch02.Limits
	want want
}

// readers are the ways each table case is fed to the parser: the same
// bytes must give the same result whether they arrive all at once, through
// a buffer smaller than a line, or one byte per read.
var readers = []struct {
	name string
	new  func(string) *bufio.Reader
}{
	{"whole", func(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }},
	{"buf16", func(s string) *bufio.Reader { return bufio.NewReaderSize(strings.NewReader(s), 16) }},
	{"onebyte", func(s string) *bufio.Reader { return bufio.NewReader(iotest.OneByteReader(strings.NewReader(s))) }},
}

// readRequest parses in and reads the whole body, as a server does.
func readRequest(t *testing.T, read ReadFunc, br *bufio.Reader, lim *ch02.Limits) (*ch02.Request, string, error) {
	t.Helper()
	req, err := read(br, lim)
	if err != nil {
		if req != nil {
			t.Errorf("ReadRequest returned a request with error %v", err)
		}
		return nil, "", err
	}
	body, err := io.ReadAll(req.Body)
	return req, string(body), err
}

func runCases(t *testing.T, read ReadFunc, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rd := range readers {
				checkCase(t, read, rd.name, tc, rd.new(tc.in))
			}
		})
	}
}

func checkCase(t *testing.T, read ReadFunc, how string, tc parseCase, br *bufio.Reader) {
	t.Helper()
	req, body, err := readRequest(t, read, br, tc.lim)
	w := tc.want
	if w.code != 0 || w.err != nil {
		if err == nil {
			t.Errorf("%s: readRequest(%q) = %+v, want error %v (%d)", how, tc.in, req, w.err, w.code)
			return
		}
		if got := ch02.StatusCode(err); got != w.code {
			t.Errorf("%s: readRequest(%q) = %v (status %d), want status %d", how, tc.in, err, got, w.code)
		}
		if w.err != nil && !errors.Is(err, w.err) {
			t.Errorf("%s: readRequest(%q) = %v, want %v", how, tc.in, err, w.err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: readRequest(%q) = %v, want %s %s", how, tc.in, err, w.method, w.target)
		return
	}
	if w.contentLength == 0 && w.chunked {
		w.contentLength = -1
	}
	got := want{
		method: req.Method, target: req.Target, proto: req.Proto, minor: req.ProtoMinor,
		header: req.Header, body: body, contentLength: req.ContentLength, chunked: req.Chunked,
		trailer: req.Trailer,
	}
	if req.ProtoMajor != 1 {
		t.Errorf("%s: readRequest(%q).ProtoMajor = %d, want 1", how, tc.in, req.ProtoMajor)
	}
	if len(got.header) == 0 {
		got.header = nil
	}
	if w.contentLength == 0 && !w.chunked {
		w.contentLength = int64(len(w.body))
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("%s: readRequest(%q) =\n\t%+v\nwant\n\t%+v", how, tc.in, got, w)
	}
}

func testRequestLine(t *testing.T, read ReadFunc) {
	tiny := &ch02.Limits{MaxRequestLine: len("GET /abc HTTP/1.1")}
	runCases(t, read, []parseCase{
		{name: "origin-form", in: "GET /where?q=1 HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "/where?q=1", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "absolute-form", in: "GET http://example.com:8080/a?b HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "http://example.com:8080/a?b", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "absolute-form query right after host", in: "GET http://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "http://example.com?q", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "absolute-form other scheme", in: "GET ftp://files/a HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "ftp://files/a", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "absolute-form empty host", in: "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "absolute-form userinfo", in: "GET http://u:p@example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "authority-form for GET", in: "GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "bad scheme", in: "GET 1http://a/ HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "authority-form CONNECT", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			want: want{method: "CONNECT", target: "example.com:443", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "example.com:443")}},
		{name: "authority-form CONNECT IPv6", in: "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
			want: want{method: "CONNECT", target: "[::1]:443", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "[::1]:443")}},
		{name: "CONNECT without port", in: "CONNECT example.com HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "CONNECT empty port", in: "CONNECT example.com: HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "CONNECT origin-form", in: "CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "CONNECT userinfo", in: "CONNECT u@example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "asterisk-form OPTIONS", in: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "OPTIONS", target: "*", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "asterisk-form GET", in: "GET * HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "unknown method is a token", in: "PURGE /a HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "PURGE", target: "/a", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "lowercase method kept", in: "get / HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "get", target: "/", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "method not a token", in: "GE@T / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrMethod)},
		{name: "empty method", in: " / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrMethod)},
		{name: "fragment", in: "GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "control byte in target", in: "GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "NUL in target", in: "GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "DEL in target", in: "GET /a\x7fb HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "tab in target", in: "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "non-ASCII in target", in: "GET /\xce\xb4 HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "browser-unescaped query kept", in: "GET /?q={a|b}^ HTTP/1.1\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "/?q={a|b}^", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "space in target", in: "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "two spaces after method", in: "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrTarget)},
		{name: "tab separators", in: "GET\t/\tHTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrRequestLine)},
		{name: "trailing space", in: "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrVersion)},
		{name: "no version (HTTP/0.9)", in: "GET /\r\n\r\n", want: bad(400, ch02.ErrRequestLine)},
		{name: "empty request-line", in: "\r\n\r\n", want: bad(400, ch02.ErrRequestLine)},
		{name: "HTTP/1.0", in: "GET / HTTP/1.0\r\n\r\n", want: want{method: "GET", target: "/", proto: "HTTP/1.0", minor: 0}},
		{name: "HTTP/1.2 served as 1.1", in: "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.2", minor: 1, header: hdr("Host", "x")}},
		{name: "HTTP/1.9 served as 1.1", in: "GET / HTTP/1.9\r\nHost: x\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.9", minor: 1, header: hdr("Host", "x")}},
		{name: "HTTP/2.0", in: "GET / HTTP/2.0\r\nHost: x\r\n\r\n", want: bad(505, ch02.ErrVersionNotSupported)},
		{name: "HTTP/0.9 version", in: "GET / HTTP/0.9\r\n\r\n", want: bad(505, ch02.ErrVersionNotSupported)},
		{name: "h2 preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: bad(505, ch02.ErrVersionNotSupported)},
		{name: "505 before reading fields", in: "GET / HTTP/3.0\r\n", want: bad(505, ch02.ErrVersionNotSupported)},
		{name: "two-digit minor", in: "GET / HTTP/1.10\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrVersion)},
		{name: "no minor", in: "GET / HTTP/1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrVersion)},
		{name: "lowercase HTTP", in: "GET / http/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrVersion)},
		{name: "not HTTP", in: "GET / RTSP/1.0\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrVersion)},
		{name: "one leading CRLF skipped", in: "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", want: get()},
		{name: "two leading CRLFs", in: "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrRequestLine)},
		{name: "leading bare LF", in: "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "request-line bare LF", in: "GET / HTTP/1.1\nHost: x\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "request-line bare CR", in: "GET / HTTP/1.1\rHost: x\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "bare CR in target", in: "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "request-line at limit", in: "GET /abc HTTP/1.1\r\nHost: x\r\n\r\n", lim: tiny,
			want: want{method: "GET", target: "/abc", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "x")}},
		{name: "request-line over limit", in: "GET /abcd HTTP/1.1\r\nHost: x\r\n\r\n", lim: tiny, want: bad(414, ch02.ErrRequestLineTooLong)},
		{name: "request-line over limit, no end", in: "GET /" + strings.Repeat("a", 100), lim: tiny, want: bad(414, ch02.ErrRequestLineTooLong)},
		// What makes the line long comes after the target: not a URI too long, a malformed line.
		{name: "version over the limit", in: "GET / HTTP/1." + strings.Repeat("1", 100) + "\r\nHost: x\r\n\r\n", lim: tiny, want: bad(400, ch02.ErrRequestLine)},
		// RFC 9112 section 3: a method longer than any implemented SHOULD get 501.
		{name: "method over the limit", in: strings.Repeat("A", 100) + " / HTTP/1.1\r\nHost: x\r\n\r\n", lim: tiny, want: bad(501, ch02.ErrMethod)},
		{name: "method over the limit, no end", in: strings.Repeat("A", 100), lim: tiny, want: bad(501, ch02.ErrMethod)},
		{name: "junk over the limit", in: strings.Repeat("\x16", 100), lim: tiny, want: bad(400, ch02.ErrMethod)},
		{name: "request-line over default limit", in: "GET /" + strings.Repeat("a", ch02.DefaultMaxRequestLine) + " HTTP/1.1\r\nHost: x\r\n\r\n",
			want: bad(414, ch02.ErrRequestLineTooLong)},
		{name: "truncated request-line", in: "GET / HTT", want: bad(400, ch02.ErrTruncated)},
		{name: "truncated after CRLF", in: "\r\nGET", want: bad(400, ch02.ErrTruncated)},
	})
}

func testFields(t *testing.T, read ReadFunc) {
	runCases(t, read, []parseCase{
		{name: "value trimmed of OWS", in: "GET / HTTP/1.1\r\nHost: x\r\nA: \t v  w \t\r\nB:v\r\n\r\n", want: get("A", "v  w", "B", "v")},
		{name: "empty value", in: "GET / HTTP/1.1\r\nHost: x\r\nA:\r\nB: \t \r\n\r\n", want: get("A", "", "B", "")},
		{name: "order and duplicates kept", in: "GET / HTTP/1.1\r\nHost: x\r\nb: 1\r\nA: 2\r\nb: 3\r\n\r\n", want: get("b", "1", "A", "2", "b", "3")},
		{name: "name case kept", in: "GET / HTTP/1.1\r\nHost: x\r\nx-CuStOm: 1\r\n\r\n", want: get("x-CuStOm", "1")},
		{name: "tab inside value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: a\tb\r\n\r\n", want: get("A", "a\tb")},
		{name: "obs-text in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: D\xc3\xbcsseldorf \xff\r\n\r\n", want: get("A", "D\xc3\xbcsseldorf \xff")},
		{name: "colon in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b:c\r\n\r\n", want: get("A", "b:c")},
		{name: "space before colon", in: "GET / HTTP/1.1\r\nHost: x\r\nA : b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "tab before colon", in: "GET / HTTP/1.1\r\nHost: x\r\nA\t: b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "no colon", in: "GET / HTTP/1.1\r\nHost: x\r\nA b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "empty name", in: "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "name not a token", in: "GET / HTTP/1.1\r\nHost: x\r\nFo@: b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "control byte in name", in: "GET / HTTP/1.1\r\nHost: x\r\nFoo\x01: b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "non-ASCII name", in: "GET / HTTP/1.1\r\nHost: x\r\nF\xc3\xbc: b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "NUL in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: a\x00b\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "control byte in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: a\x0cb\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: a\x7fb\r\n\r\n", want: bad(400, ch02.ErrFieldLine)},
		{name: "bare CR in value", in: "GET / HTTP/1.1\r\nHost: x\r\nA: a\rb\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "bare CR in name", in: "GET / HTTP/1.1\r\nHost: x\r\nA\rB: b\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "bare CR before the end", in: "GET / HTTP/1.1\r\nHost: x\r\n\rX\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "bare LF field line", in: "GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "bare LF ends head", in: "GET / HTTP/1.1\r\nHost: x\r\n\n", want: bad(400, ch02.ErrLineEnding)},
		{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", want: bad(400, ch02.ErrObsFold)},
		{name: "obs-fold with tab", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n", want: bad(400, ch02.ErrObsFold)},
		{name: "whitespace after request-line", in: "GET / HTTP/1.1\r\n Host: x\r\n\r\n", want: bad(400, ch02.ErrLeadingWhitespace)},
		{name: "tab after request-line", in: "GET / HTTP/1.1\r\n\tHost: x\r\n\r\n", want: bad(400, ch02.ErrLeadingWhitespace)},
		{name: "truncated in fields", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b", want: bad(400, ch02.ErrTruncated)},
		{name: "truncated before end of head", in: "GET / HTTP/1.1\r\nHost: x\r\n", want: bad(400, ch02.ErrTruncated)},
		{name: "truncated in final CRLF", in: "GET / HTTP/1.1\r\nHost: x\r\n\r", want: bad(400, ch02.ErrTruncated)},
	})
}

func testHeaderLimits(t *testing.T, read ReadFunc) {
	head := "GET / HTTP/1.1\r\nHost: x\r\nA: 12345\r\n\r\n" // header section: 9+10+2 = 21 bytes
	runCases(t, read, []parseCase{
		{name: "header bytes at limit", in: head, lim: &ch02.Limits{MaxHeaderBytes: 21}, want: get("A", "12345")},
		{name: "header bytes over limit", in: head, lim: &ch02.Limits{MaxHeaderBytes: 20}, want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "header bytes over limit, no end", in: "GET / HTTP/1.1\r\nA: " + strings.Repeat("a", 100), lim: &ch02.Limits{MaxHeaderBytes: 50},
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "header bytes over default limit", in: "GET / HTTP/1.1\r\nHost: x\r\nA: " + strings.Repeat("a", ch02.DefaultMaxHeaderBytes) + "\r\n\r\n",
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "fields at limit", in: head, lim: &ch02.Limits{MaxHeaderFields: 2}, want: get("A", "12345")},
		{name: "fields over limit", in: head, lim: &ch02.Limits{MaxHeaderFields: 1}, want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "fields over default limit", in: "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: b\r\n", ch02.DefaultMaxHeaderFields) + "\r\n",
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "fields at default limit", in: "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: b\r\n", ch02.DefaultMaxHeaderFields-1) + "\r\n",
			want: get(strings.Split(strings.Repeat("A,b,", ch02.DefaultMaxHeaderFields-1), ",")...)},
	})
}

func testHost(t *testing.T, read ReadFunc) {
	runCases(t, read, []parseCase{
		{name: "HTTP/1.1 without Host", in: "GET / HTTP/1.1\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "HTTP/1.2 without Host", in: "GET / HTTP/1.2\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "HTTP/1.0 without Host", in: "GET / HTTP/1.0\r\n\r\n", want: want{method: "GET", target: "/", proto: "HTTP/1.0"}},
		{name: "two Hosts", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "two Hosts in HTTP/1.0", in: "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Host name case-insensitive", in: "GET / HTTP/1.1\r\nhOsT: a\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.1", minor: 1, header: hdr("hOsT", "a")}},
		{name: "empty Host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "")}},
		{name: "Host with port", in: "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "example.com:8080")}},
		{name: "Host IPv6", in: "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n",
			want: want{method: "GET", target: "/", proto: "HTTP/1.1", minor: 1, header: hdr("Host", "[2001:db8::1]:80")}},
		{name: "Host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Host with path", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Host with userinfo", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Host with bad port", in: "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Host unclosed bracket", in: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", want: bad(400, ch02.ErrHost)},
	})
}

func testContentLength(t *testing.T, read ReadFunc) {
	post := func(fields, body string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n" + body
	}
	ok := func(body string, fields ...string) want {
		w := get(fields...)
		w.method, w.body = "POST", body
		return w
	}
	runCases(t, read, []parseCase{
		{name: "no framing: no body", in: post("", "ignored"), want: ok("")},
		{name: "body", in: post("Content-Length: 5\r\n", "hello"), want: ok("hello", "Content-Length", "5")},
		{name: "zero", in: post("Content-Length: 0\r\n", ""), want: ok("", "Content-Length", "0")},
		{name: "leading zeros", in: post("Content-Length: 003\r\n", "abc"), want: ok("abc", "Content-Length", "003")},
		{name: "surrounding OWS", in: post("Content-Length: \t3 \r\n", "abc"), want: ok("abc", "Content-Length", "3")},
		{name: "duplicates agree", in: post("Content-Length: 3\r\ncontent-length: 3\r\n", "abc"),
			want: ok("abc", "Content-Length", "3", "content-length", "3")},
		{name: "duplicates disagree", in: post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"), want: bad(400, ch02.ErrContentLength)},
		{name: "list", in: post("Content-Length: 3, 3\r\n", "abc"), want: bad(400, ch02.ErrContentLength)},
		{name: "plus sign", in: post("Content-Length: +3\r\n", "abc"), want: bad(400, ch02.ErrContentLength)},
		{name: "negative", in: post("Content-Length: -1\r\n", ""), want: bad(400, ch02.ErrContentLength)},
		{name: "hex", in: post("Content-Length: 0x3\r\n", "abc"), want: bad(400, ch02.ErrContentLength)},
		{name: "space inside", in: post("Content-Length: 1 2\r\n", ""), want: bad(400, ch02.ErrContentLength)},
		{name: "empty", in: post("Content-Length:\r\n", ""), want: bad(400, ch02.ErrContentLength)},
		{name: "max int64", in: post("Content-Length: 9223372036854775807\r\n", ""), lim: &ch02.Limits{MaxBodyBytes: 1}, want: bad(413, ch02.ErrBodyTooLarge)},
		{name: "overflow", in: post("Content-Length: 9223372036854775808\r\n", ""), want: bad(400, ch02.ErrContentLength)},
		{name: "huge overflow", in: post("Content-Length: 1000000000000000000000\r\n", ""), want: bad(400, ch02.ErrContentLength)},
		{name: "truncated body", in: post("Content-Length: 5\r\n", "hel"), want: bad(400, ch02.ErrTruncated)},
		{name: "at body limit", in: post("Content-Length: 5\r\n", "hello"), lim: &ch02.Limits{MaxBodyBytes: 5}, want: ok("hello", "Content-Length", "5")},
		{name: "over body limit", in: post("Content-Length: 6\r\n", "hello!"), lim: &ch02.Limits{MaxBodyBytes: 5}, want: bad(413, ch02.ErrBodyTooLarge)},
		{name: "over body limit, body never sent", in: post("Content-Length: 6000000\r\n", ""), lim: &ch02.Limits{MaxBodyBytes: 5},
			want: bad(413, ch02.ErrBodyTooLarge)},
	})
}

func testTransferEncoding(t *testing.T, read ReadFunc) {
	post := func(fields, body string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n" + body
	}
	chunked := func(body string, fields ...string) want {
		w := get(fields...)
		w.method, w.body, w.chunked = "POST", body, true
		return w
	}
	runCases(t, read, []parseCase{
		{name: "chunked", in: post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
			want: chunked("hello", "Transfer-Encoding", "chunked")},
		{name: "case-insensitive", in: post("transfer-encoding: CHUNKED\r\n", "0\r\n\r\n"),
			want: chunked("", "transfer-encoding", "CHUNKED")},
		{name: "empty list elements ignored", in: post("Transfer-Encoding: , chunked ,\r\n", "0\r\n\r\n"),
			want: chunked("", "Transfer-Encoding", ", chunked ,")},
		{name: "in HTTP/1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: bad(400, ch02.ErrTransferEncoding)},
		{name: "with Content-Length", in: post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"),
			want: bad(400, ch02.ErrTransferEncoding)},
		{name: "Content-Length first", in: post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
			want: bad(400, ch02.ErrTransferEncoding)},
		{name: "chunked not last", in: post("Transfer-Encoding: chunked, gzip\r\n", ""), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "identity", in: post("Transfer-Encoding: identity\r\n", ""), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "empty", in: post("Transfer-Encoding:\r\n", ""), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "chunked twice", in: post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "chunked twice over fields", in: post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
			want: bad(400, ch02.ErrTransferEncoding)},
		{name: "chunked with parameter", in: post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "not a token", in: post("Transfer-Encoding: chun ked\r\n", "0\r\n\r\n"), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "chunkedchunked", in: post("Transfer-Encoding: chunkedchunked\r\n", ""), want: bad(400, ch02.ErrTransferEncoding)},
		{name: "unknown coding before chunked", in: post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
			want: bad(501, ch02.ErrUnsupportedCoding)},
		{name: "unknown coding in another field", in: post("Transfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
			want: bad(501, ch02.ErrUnsupportedCoding)},
		{name: "unknown coding with parameter", in: post("Transfer-Encoding: foo;a=b, chunked\r\n", "0\r\n\r\n"),
			want: bad(501, ch02.ErrUnsupportedCoding)},
	})
}

func testChunked(t *testing.T, read ReadFunc) {
	post := func(body string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	}
	ok := func(body string, trailer ...string) want {
		w := get("Transfer-Encoding", "chunked")
		w.method, w.body, w.chunked, w.trailer = "POST", body, true, hdr(trailer...)
		return w
	}
	runCases(t, read, []parseCase{
		{name: "two chunks", in: post("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), want: ok("hello world")},
		{name: "hex sizes", in: post("a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n"), want: ok("01234567890123456789")},
		{name: "leading zeros", in: post("005\r\nhello\r\n000\r\n\r\n"), want: ok("hello")},
		{name: "extensions", in: post("5;a;b=c\r\nhello\r\n0;last\r\n\r\n"), want: ok("hello")},
		{name: "quoted extension", in: post("5;a=\"x \\\"y\\\"; z\"\r\nhello\r\n0\r\n\r\n"), want: ok("hello")},
		{name: "BWS in extension", in: post("5 ; a = b\r\nhello\r\n0\r\n\r\n"), want: ok("hello")},
		{name: "trailers", in: post("5\r\nhello\r\n0\r\nVary: *\r\nX-Sum:  abc \r\n\r\n"), want: ok("hello", "Vary", "*", "X-Sum", "abc")},
		{name: "whitespace after size", in: post("5 \r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "whitespace after extension", in: post("5;a \r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "empty extension", in: post("5;\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "extension without semicolon", in: post("5 a\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "extension empty value", in: post("5;a=\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "unterminated quote", in: post("5;a=\"b\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "control byte in quote", in: post("5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "no size", in: post(";a\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "empty size line", in: post("\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "negative size", in: post("-5\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "0x prefix", in: post("0x5\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "size at int64 max", in: post("7fffffffffffffff\r\nhello"), want: bad(400, ch02.ErrTruncated)},
		{name: "size overflows", in: post("8000000000000000\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "size overflows by wrap", in: post("10000000000000005\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "data longer than size", in: post("3\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "data not followed by CRLF", in: post("5\r\nhelloX\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "data followed by bare LF", in: post("5\r\nhello\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "size line bare LF", in: post("5\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrLineEnding)},
		{name: "size line bare CR", in: post("5\r\rhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "size line too long", in: post("5;a=" + strings.Repeat("b", ch02.MaxChunkLine) + "\r\nhello\r\n0\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "missing last chunk", in: post("5\r\nhello\r\n\r\n"), want: bad(400, ch02.ErrChunk)},
		{name: "truncated in data", in: post("5\r\nhel"), want: bad(400, ch02.ErrTruncated)},
		{name: "truncated before last chunk", in: post("5\r\nhello\r\n"), want: bad(400, ch02.ErrTruncated)},
		{name: "truncated in trailer", in: post("0\r\nA: b\r\n"), want: bad(400, ch02.ErrTruncated)},
		{name: "no final CRLF", in: post("0\r\n"), want: bad(400, ch02.ErrTruncated)},
		{name: "trailer obs-fold", in: post("0\r\nA: b\r\n c\r\n\r\n"), want: bad(400, ch02.ErrObsFold)},
		{name: "trailer bad name", in: post("0\r\nA b: c\r\n\r\n"), want: bad(400, ch02.ErrFieldLine)},
		{name: "trailer bare LF", in: post("0\r\nA: b\n\r\n"), want: bad(400, ch02.ErrLineEnding)},
		{name: "trailer too many fields", in: post("0\r\n" + strings.Repeat("A: b\r\n", ch02.DefaultMaxHeaderFields+1) + "\r\n"),
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "trailer too large", in: post("0\r\nA: " + strings.Repeat("b", ch02.DefaultMaxHeaderBytes) + "\r\n\r\n"),
			want: bad(431, ch02.ErrHeaderTooLarge)},
		// RFC 9112 section 7.1.1: the extensions of a body (and zeros
		// padding its sizes) get MaxHeaderBytes in all: 31 bytes a chunk
		// here, under a limit of 64 twice and over it the third time.
		{name: "extensions within their limit", in: post(strings.Repeat("1;"+strings.Repeat("e", 29)+"\r\nz\r\n", 2) + "0\r\n\r\n"),
			lim: &ch02.Limits{MaxHeaderBytes: 64}, want: ok("zz")},
		{name: "extensions over their limit", in: post(strings.Repeat("1;"+strings.Repeat("e", 29)+"\r\nz\r\n", 3) + "0\r\n\r\n"),
			lim: &ch02.Limits{MaxHeaderBytes: 64}, want: bad(400, ch02.ErrChunk)},
		{name: "padded sizes over the extensions' limit", in: post(strings.Repeat(strings.Repeat("0", 40)+"1\r\nz\r\n", 3) + "0\r\n\r\n"),
			lim: &ch02.Limits{MaxHeaderBytes: 64}, want: bad(400, ch02.ErrChunk)},
		{name: "at body limit", in: post("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), lim: &ch02.Limits{MaxBodyBytes: 5}, want: ok("abcde")},
		{name: "over body limit", in: post("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"), lim: &ch02.Limits{MaxBodyBytes: 5}, want: bad(413, ch02.ErrBodyTooLarge)},
		{name: "over body limit, huge chunk", in: post("7fffffffffffffff\r\n"), lim: &ch02.Limits{MaxBodyBytes: 5}, want: bad(413, ch02.ErrBodyTooLarge)},
	})
}

// TestRefusedEarly checks that a request is refused as soon as the bytes
// received prove it invalid, even when the head never ends: a bad line
// is reported as itself, not as a truncated request.
func testRefusedEarly(t *testing.T, read ReadFunc) {
	runCases(t, read, []parseCase{
		{name: "second Host, head unfinished", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n", want: bad(400, ch02.ErrHost)},
		{name: "Content-Length overflow, head unfinished", in: "PUT / HTTP/1.1\r\nContent-Length: 1000000000000000000000\r\n",
			want: bad(400, ch02.ErrContentLength)},
		{name: "Content-Length disagree, head unfinished", in: "PUT / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
			want: bad(400, ch02.ErrContentLength)},
		{name: "partial line after request-line starts with space", in: "GET / HTTP/1.1\r\n Host: foo", want: bad(400, ch02.ErrLeadingWhitespace)},
		{name: "partial obs-fold", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c", want: bad(400, ch02.ErrObsFold)},
		{name: "partial line with bare CR", in: "PUT / HTTP/1.1\r\nContent-Length: 3\r\n\rabc", want: bad(400, ch02.ErrLineEnding)},
		{name: "partial name not a token", in: "GET / HTTP/1.1\r\nFo@", want: bad(400, ch02.ErrFieldLine)},
		{name: "partial value with NUL", in: "GET / HTTP/1.1\r\nA: b\x00", want: bad(400, ch02.ErrFieldLine)},
		{name: "partial request-line with bare CR", in: "GET / HTTP/1.1\rX", want: bad(400, ch02.ErrLineEnding)},
		{name: "valid partial field line", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b", want: bad(400, ch02.ErrTruncated)},
		{name: "valid partial field line ending in CR", in: "GET / HTTP/1.1\r\nHost: x\r\nA: b\r", want: bad(400, ch02.ErrTruncated)},
		{name: "valid partial name", in: "GET / HTTP/1.1\r\nHost: x\r\nAcc", want: bad(400, ch02.ErrTruncated)},
		{name: "valid partial request-line", in: "GET / HTTP/5.6", want: bad(400, ch02.ErrTruncated)},
	})
}

// fieldLine is a field line of exactly n bytes, its CRLF included.
func fieldLine(n int) string {
	return "A: " + strings.Repeat("a", n-len("A: \r\n")) + "\r\n"
}

func testFieldSizeLimit(t *testing.T, read ReadFunc) {
	// ch02.Field lines: "Host: x\r\n" is 9 bytes, "A: 12345\r\n" 10.
	head := "GET / HTTP/1.1\r\nHost: x\r\nA: 12345\r\n\r\n"
	chunked := func(trailer string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + trailer + "\r\n"
	}
	// The longest header field line of chunked's is "Transfer-Encoding:
	// chunked\r\n", 28 bytes.
	chunkedOK := get("Transfer-Encoding", "chunked")
	chunkedOK.method, chunkedOK.body, chunkedOK.chunked = "POST", "hello", true
	chunkedOK.trailer = hdr("A", strings.Repeat("a", 28-len("A: \r\n")))
	// Gunicorn's default limit_request_field_size, 8190 bytes with the CRLF.
	gunicorn := &ch02.Limits{MaxFieldSize: 8190}
	runCases(t, read, []parseCase{
		{name: "at limit", in: head, lim: &ch02.Limits{MaxFieldSize: 10}, want: get("A", "12345")},
		{name: "over limit", in: head, lim: &ch02.Limits{MaxFieldSize: 9}, want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "first field over limit", in: head, lim: &ch02.Limits{MaxFieldSize: 8}, want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "over limit, no end", in: "GET / HTTP/1.1\r\nHost: x\r\nA: " + strings.Repeat("a", 100), lim: &ch02.Limits{MaxFieldSize: 20},
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "over limit, bare LF", in: "GET / HTTP/1.1\r\nHost: x\r\nA: 123456\n\r\n", lim: &ch02.Limits{MaxFieldSize: 9},
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "limit 1 refuses every field", in: head, lim: &ch02.Limits{MaxFieldSize: 1}, want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "limit 1 still ends a head without fields", in: "GET / HTTP/1.0\r\n\r\n", lim: &ch02.Limits{MaxFieldSize: 1},
			want: want{method: "GET", target: "/", proto: "HTTP/1.0"}},
		{name: "Gunicorn's default, at it", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(8190) + "\r\n", lim: gunicorn,
			want: get("A", strings.Repeat("a", 8190-len("A: \r\n")))},
		{name: "Gunicorn's default, over it", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(8191) + "\r\n", lim: gunicorn,
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "zero: only the header section bounds a line", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(50000) + "\r\n",
			want: get("A", strings.Repeat("a", 50000-len("A: \r\n")))},
		{name: "negative is zero", in: head, lim: &ch02.Limits{MaxFieldSize: -1}, want: get("A", "12345")},
		{name: "the section bound still applies", in: head, lim: &ch02.Limits{MaxFieldSize: 100, MaxHeaderBytes: 20},
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "the section bound is tighter", in: head, lim: &ch02.Limits{MaxFieldSize: 100, MaxHeaderBytes: 15},
			want: bad(431, ch02.ErrHeaderTooLarge)},
		{name: "trailer at limit", in: chunked(fieldLine(28)), lim: &ch02.Limits{MaxFieldSize: 28}, want: chunkedOK},
		{name: "trailer over limit", in: chunked(fieldLine(29)), lim: &ch02.Limits{MaxFieldSize: 28}, want: bad(431, ch02.ErrHeaderTooLarge)},
	})
}

// TestFieldSizeError checks the error names the field line and its limit,
// not the header section's.
func testFieldSizeError(t *testing.T, read ReadFunc) {
	_, _, err := readRequest(t, read, readers[0].new("GET / HTTP/1.1\r\nHost: x\r\nA: 12345\r\n\r\n"), &ch02.Limits{MaxFieldSize: 9})
	if err == nil || !strings.Contains(err.Error(), "field line over 9 bytes") {
		t.Errorf("err = %v, want one saying \"field line over 9 bytes\"", err)
	}
}

func testTrailerFields(t *testing.T, read ReadFunc) {
	post := func(trailer string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + trailer
	}
	ok := func(trailer ...string) want {
		w := get("Transfer-Encoding", "chunked")
		w.method, w.body, w.chunked, w.trailer = "POST", "hello", true, hdr(trailer...)
		return w
	}
	cases := []parseCase{
		{name: "allowed field", in: post("Checksum: abc\r\n\r\n"), want: ok("Checksum", "abc")},
		{name: "response control passes", in: post("Vary: *\r\n\r\n"), want: ok("Vary", "*")},
		{name: "name that only contains one", in: post("X-Content-Length: 5\r\nContent-Lengths: 5\r\n\r\n"),
			want: ok("X-Content-Length", "5", "Content-Lengths", "5")},
		{name: "lowercase", in: post("content-length: 5\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)},
		{name: "mixed case", in: post("hOsT: evil.example\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)},
		{name: "after an allowed field", in: post("Checksum: abc\r\nTransfer-Encoding: chunked\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)},
		{name: "refused on its line, section unfinished", in: post("Content-Length: 5\r\n"), want: bad(400, ch02.ErrTrailerField)},
		{name: "empty value", in: post("Content-Length:\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)},
	}
	for _, name := range ch02.NotInTrailers() {
		cases = append(cases, parseCase{name: name, in: post(name + ": 1\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)})
	}
	for _, name := range []string{"Content-Length", "Host", "Transfer-Encoding"} {
		cases = append(cases, parseCase{name: "canonical " + name, in: post(name + ": 5\r\n\r\n"), want: bad(400, ch02.ErrTrailerField)})
	}
	runCases(t, read, cases)
}

// TestTrailerFieldsOnlyInTrailers: the same names are ordinary in the
// header section.
func testTrailerFieldsOnlyInTrailers(t *testing.T, read ReadFunc) {
	runCases(t, read, []parseCase{
		{name: "header fields", in: "GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\nIf-None-Match: \"x\"\r\nAuthorization: Basic eDp5\r\n\r\n",
			want: get("Cookie", "a=b", "If-None-Match", "\"x\"", "Authorization", "Basic eDp5")},
	})
}
