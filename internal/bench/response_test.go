package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want response
		// rest is what must be left unread: the next response's bytes.
		rest string
	}{
		{"content-length keep-alive",
			"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!NEXT",
			response{status: 200}, "NEXT"},
		{"content-length zero",
			"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nNEXT",
			response{status: 200}, "NEXT"},
		{"header names in any case, OWS around values",
			"HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: \t 3 \r\n\r\nabcNEXT",
			response{status: 200}, "NEXT"},
		{"repeated equal content-length",
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nabNEXT",
			response{status: 200}, "NEXT"},
		{"chunked",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nline 1\n\r\n7\r\nline 2\n\r\n0\r\n\r\nNEXT",
			response{status: 200}, "NEXT"},
		{"chunked with extensions, hex sizes and trailers",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\nA;name=value\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT",
			response{status: 200}, "NEXT"},
		{"chunked wins over content-length",
			"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nNEXT",
			response{status: 200}, "NEXT"},
		{"connection close",
			"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
			response{status: 200, close: true}, ""},
		{"close among connection options",
			"HTTP/1.1 200 OK\r\nConnection: upgrade, Close\r\nContent-Length: 2\r\n\r\nokNEXT",
			response{status: 200, close: true}, "NEXT"},
		{"HTTP/1.0 closes by default",
			"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nokNEXT",
			response{status: 200, close: true}, "NEXT"},
		{"HTTP/1.0 with keep-alive",
			"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nokNEXT",
			response{status: 200}, "NEXT"},
		{"body until close",
			"HTTP/1.1 200 OK\r\n\r\nall of this is body",
			response{status: 200, close: true}, ""},
		{"non-chunked transfer coding reads until close",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbody",
			response{status: 200, close: true}, ""},
		{"500 with body",
			"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nerrorNEXT",
			response{status: 500}, "NEXT"},
		{"204 has no body",
			"HTTP/1.1 204 No Content\r\n\r\nNEXT",
			response{status: 204}, "NEXT"},
		{"304 has no body whatever its length says",
			"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nNEXT",
			response{status: 304}, "NEXT"},
		{"interim 100 skipped",
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nNEXT",
			response{status: 201}, "NEXT"},
		{"101 ends the connection",
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nNEXT",
			response{status: 101, close: true}, "NEXT"},
		{"no reason phrase",
			"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\nNEXT",
			response{status: 404}, "NEXT"},
		{"bare LF line endings",
			"HTTP/1.1 200 OK\nContent-Length: 1\n\nxNEXT",
			response{status: 200}, "NEXT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.wire), ReadBufferSize)
			got, err := readResponse(br)
			if err != nil || got != tt.want {
				t.Fatalf("readResponse(%q) = %+v, %v, want %+v, nil", tt.wire, got, err, tt.want)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tt.rest {
				t.Errorf("readResponse(%q) left %q unread, want %q", tt.wire, rest, tt.rest)
			}
		})
	}
}

func TestReadResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want error
	}{
		{"nothing: the server closed first", "", io.EOF},
		{"closed in the status line", "HTTP/1.1 200 O", io.ErrUnexpectedEOF},
		{"closed in the headers", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", io.ErrUnexpectedEOF},
		{"closed in the body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", io.ErrUnexpectedEOF},
		{"closed in a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", io.ErrUnexpectedEOF},
		{"closed before the last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n", io.ErrUnexpectedEOF},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", ErrMalformed},
		{"HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n", ErrMalformed},
		{"status not three digits", "HTTP/1.1 20 OK\r\n\r\n", ErrMalformed},
		{"status with letters", "HTTP/1.1 2x0 OK\r\n\r\n", ErrMalformed},
		{"status below 100", "HTTP/1.1 099 Odd\r\n\r\n", ErrMalformed},
		{"header without colon", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", ErrMalformed},
		{"bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrMalformed},
		{"content-length too long", "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999\r\n\r\n", ErrMalformed},
		{"differing content-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", ErrMalformed},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrMalformed},
		{"chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", ErrMalformed},
		{"header line too long", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", ReadBufferSize) + "\r\n\r\n", ErrTooLarge},
		{"too many headers", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", MaxHeaderLines+1) + "\r\n", ErrTooLarge},
		{"too many interim responses", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", MaxInterim+1), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.wire), ReadBufferSize)
			got, err := readResponse(br)
			if !errors.Is(err, tt.want) {
				t.Errorf("readResponse(%q) = %+v, %v, want error %v", trim(tt.wire), got, err, tt.want)
			}
		})
	}
}

// trim shortens long wire bytes in failure messages.
func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// TestReadResponseAllocatesNothing guards the client's hot path: reading
// pipelined responses from a buffer must not touch the heap.
func TestReadResponseAllocatesNothing(t *testing.T) {
	tests := []struct{ name, wire string }{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\nHello, World!"},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nline 1\n\r\n0\r\n\r\n"},
		{"connection close", "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := []byte(strings.Repeat(tt.wire, 200))
			r := bytes.NewReader(wire)
			br := bufio.NewReaderSize(r, ReadBufferSize)
			allocs := testing.AllocsPerRun(100, func() {
				if br.Buffered() == 0 {
					r.Reset(wire)
					br.Reset(r)
				}
				if _, err := readResponse(br); err != nil {
					t.Fatalf("readResponse(%q) = %v", tt.wire, err)
				}
			})
			if allocs != 0 {
				t.Errorf("readResponse(%q) allocates %v times per response, want 0", tt.wire, allocs)
			}
		})
	}
}

func BenchmarkReadResponse(b *testing.B) {
	one := "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\nHello, World!"
	wire := []byte(strings.Repeat(one, 100))
	r := bytes.NewReader(wire)
	br := bufio.NewReaderSize(r, ReadBufferSize)
	b.ReportAllocs()
	b.SetBytes(int64(len(one)))
	for b.Loop() {
		if br.Buffered() == 0 {
			r.Reset(wire)
			br.Reset(r)
		}
		if _, err := readResponse(br); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzReadResponse checks that no input panics the reader or makes it
// read past a bounded amount, and that a successful read consumed bytes.
func FuzzReadResponse(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nline 1\n\r\n0\r\nT: x\r\n\r\n",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nuntil close",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		r := bytes.NewReader(wire)
		br := bufio.NewReaderSize(r, ReadBufferSize)
		resp, err := readResponse(br)
		if err != nil {
			return
		}
		if resp.status < 100 || resp.status > 999 {
			t.Errorf("readResponse(%q) status %d, want 100..999", wire, resp.status)
		}
		if left := r.Len() + br.Buffered(); left >= len(wire) {
			t.Errorf("readResponse(%q) succeeded reading nothing", wire)
		}
	})
}
