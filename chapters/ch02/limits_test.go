package ch02

import (
	"strings"
	"testing"
)

// fieldLine is a field line of exactly n bytes, its CRLF included.
func fieldLine(n int) string {
	return "A: " + strings.Repeat("a", n-len("A: \r\n")) + "\r\n"
}

func TestFieldSizeLimit(t *testing.T) {
	// Field lines: "Host: x\r\n" is 9 bytes, "A: 12345\r\n" 10.
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
	gunicorn := &Limits{MaxFieldSize: 8190}
	runCases(t, []parseCase{
		{name: "at limit", in: head, lim: &Limits{MaxFieldSize: 10}, want: get("A", "12345")},
		{name: "over limit", in: head, lim: &Limits{MaxFieldSize: 9}, want: bad(431, ErrHeaderTooLarge)},
		{name: "first field over limit", in: head, lim: &Limits{MaxFieldSize: 8}, want: bad(431, ErrHeaderTooLarge)},
		{name: "over limit, no end", in: "GET / HTTP/1.1\r\nHost: x\r\nA: " + strings.Repeat("a", 100), lim: &Limits{MaxFieldSize: 20},
			want: bad(431, ErrHeaderTooLarge)},
		{name: "over limit, bare LF", in: "GET / HTTP/1.1\r\nHost: x\r\nA: 123456\n\r\n", lim: &Limits{MaxFieldSize: 9},
			want: bad(431, ErrHeaderTooLarge)},
		{name: "limit 1 refuses every field", in: head, lim: &Limits{MaxFieldSize: 1}, want: bad(431, ErrHeaderTooLarge)},
		{name: "limit 1 still ends a head without fields", in: "GET / HTTP/1.0\r\n\r\n", lim: &Limits{MaxFieldSize: 1},
			want: want{method: "GET", target: "/", proto: "HTTP/1.0"}},
		{name: "Gunicorn's default, at it", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(8190) + "\r\n", lim: gunicorn,
			want: get("A", strings.Repeat("a", 8190-len("A: \r\n")))},
		{name: "Gunicorn's default, over it", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(8191) + "\r\n", lim: gunicorn,
			want: bad(431, ErrHeaderTooLarge)},
		{name: "zero: only the header section bounds a line", in: "GET / HTTP/1.1\r\nHost: x\r\n" + fieldLine(50000) + "\r\n",
			want: get("A", strings.Repeat("a", 50000-len("A: \r\n")))},
		{name: "negative is zero", in: head, lim: &Limits{MaxFieldSize: -1}, want: get("A", "12345")},
		{name: "the section bound still applies", in: head, lim: &Limits{MaxFieldSize: 100, MaxHeaderBytes: 20},
			want: bad(431, ErrHeaderTooLarge)},
		{name: "the section bound is tighter", in: head, lim: &Limits{MaxFieldSize: 100, MaxHeaderBytes: 15},
			want: bad(431, ErrHeaderTooLarge)},
		{name: "trailer at limit", in: chunked(fieldLine(28)), lim: &Limits{MaxFieldSize: 28}, want: chunkedOK},
		{name: "trailer over limit", in: chunked(fieldLine(29)), lim: &Limits{MaxFieldSize: 28}, want: bad(431, ErrHeaderTooLarge)},
	})
}

// TestFieldSizeError checks the error names the field line and its limit,
// not the header section's.
func TestFieldSizeError(t *testing.T) {
	_, _, err := readRequest(t, readers[0].new("GET / HTTP/1.1\r\nHost: x\r\nA: 12345\r\n\r\n"), &Limits{MaxFieldSize: 9})
	if err == nil || !strings.Contains(err.Error(), "field line over 9 bytes") {
		t.Errorf("err = %v, want one saying \"field line over 9 bytes\"", err)
	}
}

func TestTrailerFields(t *testing.T) {
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
		{name: "lowercase", in: post("content-length: 5\r\n\r\n"), want: bad(400, ErrTrailerField)},
		{name: "mixed case", in: post("hOsT: evil.example\r\n\r\n"), want: bad(400, ErrTrailerField)},
		{name: "after an allowed field", in: post("Checksum: abc\r\nTransfer-Encoding: chunked\r\n\r\n"), want: bad(400, ErrTrailerField)},
		{name: "refused on its line, section unfinished", in: post("Content-Length: 5\r\n"), want: bad(400, ErrTrailerField)},
		{name: "empty value", in: post("Content-Length:\r\n\r\n"), want: bad(400, ErrTrailerField)},
	}
	for _, name := range notInTrailers {
		cases = append(cases, parseCase{name: name, in: post(name + ": 1\r\n\r\n"), want: bad(400, ErrTrailerField)})
	}
	for _, name := range []string{"Content-Length", "Host", "Transfer-Encoding"} {
		cases = append(cases, parseCase{name: "canonical " + name, in: post(name + ": 5\r\n\r\n"), want: bad(400, ErrTrailerField)})
	}
	runCases(t, cases)
}

// TestTrailerFieldsOnlyInTrailers: the same names are ordinary in the
// header section.
func TestTrailerFieldsOnlyInTrailers(t *testing.T) {
	runCases(t, []parseCase{
		{name: "header fields", in: "GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\nIf-None-Match: \"x\"\r\nAuthorization: Basic eDp5\r\n\r\n",
			want: get("Cookie", "a=b", "If-None-Match", "\"x\"", "Authorization", "Basic eDp5")},
	})
}
