package ch03

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

func TestChunkedWriter(t *testing.T) {
	tests := []struct {
		name    string
		writes  []string
		trailer []ch02.Field
		want    string
	}{
		{"no writes", nil, nil, "0\r\n\r\n"},
		{"one chunk", []string{"Hello"}, nil, "5\r\nHello\r\n0\r\n\r\n"},
		{"two chunks", []string{"Hello", ", World!"}, nil, "5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n"},
		// An empty write must not emit "0\r\n": that is the last chunk,
		// and the body would end there.
		{"empty writes emit nothing", []string{"", "abc", "", ""}, nil, "3\r\nabc\r\n0\r\n\r\n"},
		{"only empty writes", []string{"", ""}, nil, "0\r\n\r\n"},
		{"size in lowercase hex", []string{strings.Repeat("x", 255)}, nil, "ff\r\n" + strings.Repeat("x", 255) + "\r\n0\r\n\r\n"},
		{"CRLF in the data is data", []string{"a\r\n0\r\n\r\n"}, nil, "8\r\na\r\n0\r\n\r\n\r\n0\r\n\r\n"},
		{"trailers after the last chunk", []string{"abc"},
			[]ch02.Field{{Name: "Digest", Value: "sha-256=x"}, {Name: "X-Count", Value: "1"}},
			"3\r\nabc\r\n0\r\nDigest: sha-256=x\r\nX-Count: 1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cw := NewChunkedWriter(&out)
			cw.Trailer = tt.trailer
			for _, w := range tt.writes {
				n, err := cw.Write([]byte(w))
				if n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v, want %d, nil", w, n, err, len(w))
				}
			}
			if err := cw.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("chunked %q with trailer %v = %q, want %q", tt.writes, tt.trailer, got, tt.want)
			}
			// The standard library's decoder reads back the same bytes.
			if tt.trailer == nil {
				got, err := io.ReadAll(httputil.NewChunkedReader(strings.NewReader(out.String())))
				if want := strings.Join(tt.writes, ""); err != nil || string(got) != want {
					t.Errorf("httputil.NewChunkedReader(%q) = %q, %v, want %q", out.String(), got, err, want)
				}
			}
		})
	}
}

func TestChunkedWriterClose(t *testing.T) {
	var out bytes.Buffer
	cw := NewChunkedWriter(&out)
	if err := cw.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := cw.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if n, err := cw.Write([]byte("late")); n != 0 || !errors.Is(err, ErrWriteAfterClose) {
		t.Errorf("Write after Close = %d, %v, want 0, %v", n, err, ErrWriteAfterClose)
	}
	if got := out.String(); got != "0\r\n\r\n" {
		t.Errorf("after Close, Close, Write: %q, want one last chunk %q", got, "0\r\n\r\n")
	}
}

func TestChunkedWriterTrailerRefused(t *testing.T) {
	tests := []struct {
		name    string
		trailer ch02.Field
		wantErr error
	}{
		{"name not a token", ch02.Field{Name: "X Y", Value: "1"}, ErrInvalidHeaderName},
		{"injection in value", ch02.Field{Name: "X-Sum", Value: "1\r\n\r\nHTTP/1.1 200 OK"}, ErrInvalidHeaderValue},
		{"framing field", ch02.Field{Name: "Content-Length", Value: "3"}, ErrReservedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cw := NewChunkedWriter(&out)
			cw.Trailer = []ch02.Field{tt.trailer}
			if err := cw.Close(); !errors.Is(err, tt.wantErr) {
				t.Errorf("Close with trailer %v = %v, want %v", tt.trailer, err, tt.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("Close with trailer %v wrote %q, want nothing", tt.trailer, out.String())
			}
		})
	}
}

// failWriter fails every write after the first ok bytes.
type failWriter struct{ ok int }

var errBroken = errors.New("broken pipe")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.ok {
		n := w.ok
		w.ok = 0
		return n, errBroken
	}
	w.ok -= len(p)
	return len(p), nil
}

func TestChunkedWriterError(t *testing.T) {
	for _, ok := range []int{0, 3, 8} { // fail in the size line, the data, the CRLF
		cw := NewChunkedWriter(&failWriter{ok: ok})
		if _, err := cw.Write([]byte("hello")); !errors.Is(err, errBroken) {
			t.Errorf("Write with the writer failing after %d bytes = %v, want %v", ok, err, errBroken)
		}
	}
}

// TestChunkedResponseNetHTTPReads writes a chunked response head and body
// with trailers, and has net/http's client read them back.
func TestChunkedResponseNetHTTPReads(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	resp := &Response{Header: []ch02.Field{{Name: "Trailer", Value: "X-Lines"}}}
	head, framing, err := AppendHead(nil, newRequest("GET", 1), resp, UnknownLength)
	if err != nil || framing != Chunked {
		t.Fatalf("AppendHead(unknown length) = %v, %v, want Chunked, nil", framing, err)
	}
	bw.Write(head)
	cw := NewChunkedWriter(bw)
	cw.Write([]byte("line 1\n"))
	cw.Write(nil)
	cw.Write([]byte("line 2\n"))
	cw.Trailer = []ch02.Field{{Name: "X-Lines", Value: "2"}}
	if err := cw.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	bw.Flush()

	got, err := http.ReadResponse(bufio.NewReader(&out), nil)
	if err != nil {
		t.Fatalf("http.ReadResponse: %v", err)
	}
	body, err := io.ReadAll(got.Body)
	if err != nil || string(body) != "line 1\nline 2\n" {
		t.Errorf("body = %q, %v, want %q", body, err, "line 1\nline 2\n")
	}
	if got.TransferEncoding[0] != "chunked" || got.Trailer.Get("X-Lines") != "2" {
		t.Errorf("TransferEncoding = %v, Trailer = %v, want chunked and X-Lines: 2", got.TransferEncoding, got.Trailer)
	}
}
