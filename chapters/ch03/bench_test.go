package ch03

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"
)

var hello = []byte(helloBody)

// BenchmarkWriteResponse writes the chapter's hello response (status line,
// Date, Content-Type, Content-Length, Connection: close, 13-byte body) into
// a reused bufio.Writer over io.Discard, and flushes it, once per response
// as the ch03 server does. The Date comes from the real clock and cache.
func BenchmarkWriteResponse(b *testing.B) {
	bw := bufio.NewWriter(io.Discard)
	req := newRequest("GET", 1)
	resp := &Response{StatusCode: 200, Body: hello, Close: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteResponse(bw, req, resp); err != nil {
			b.Fatal(err)
		}
		bw.Flush()
	}
}

// BenchmarkWriteResponseNetHTTP is net/http's counterpart: http.Response.Write
// of the same response (same four fields, same body) into the same reused
// bufio.Writer. It is net/http's public response serializer; the server's
// own writer (http.response) cannot be driven without a connection. The Date
// is formatted once, as our cache does, and the body reader and header map
// are reused, so only the serialization is measured.
func BenchmarkWriteResponseNetHTTP(b *testing.B) {
	bw := bufio.NewWriter(io.Discard)
	body := bytes.NewReader(hello)
	resp := &http.Response{
		StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Date":         {time.Now().UTC().Format(http.TimeFormat)},
			"Content-Type": {DefaultContentType},
		},
		ContentLength: int64(len(hello)),
		Body:          io.NopCloser(body),
		Close:         true,
	}
	b.ReportAllocs()
	for b.Loop() {
		body.Reset(hello)
		if err := resp.Write(bw); err != nil {
			b.Fatal(err)
		}
		bw.Flush()
	}
}

// BenchmarkAppendDate is the cached Date on the real clock: one atomic
// load, and a format and a timer once a second.
func BenchmarkAppendDate(b *testing.B) {
	var c DateCache
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendDate(buf[:0])
	}
}

// BenchmarkFormatDate is what the cache saves: formatting on every response.
func BenchmarkFormatDate(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = time.Now().UTC().AppendFormat(buf[:0], http.TimeFormat)
	}
}

// BenchmarkChunkedWriter writes one 13-byte chunk per iteration into a
// reused bufio.Writer.
func BenchmarkChunkedWriter(b *testing.B) {
	bw := bufio.NewWriter(io.Discard)
	cw := NewChunkedWriter(bw)
	b.ReportAllocs()
	b.SetBytes(int64(len(hello)))
	for b.Loop() {
		if _, err := cw.Write(hello); err != nil {
			b.Fatal(err)
		}
	}
	bw.Flush()
}
