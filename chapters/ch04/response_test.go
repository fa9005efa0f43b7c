package ch04_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"

	"github.com/httpfromscratch/course/internal/testkit"
)

// dateLine matches a generated Date field, which changes every second.
var dateLine = regexp.MustCompile(`Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n`)

// exchange is the outcome of running a handler on the bridge in memory.
type exchange struct {
	out  string // the bytes written, Date values replaced by <date>
	w    *ch04.Response
	ok   bool // what Serve reported
	logs *testkit.LogRecorder
}

// run parses raw with chapter 2, builds the request and its Response over
// an in-memory writer, serves h and finishes the response.
func run(t *testing.T, raw string, keepAlive bool, h http.HandlerFunc) exchange {
	t.Helper()
	pr, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("ch02.ReadRequest(%q) = %v", raw, err)
	}
	r, err := ch04.NewRequest(context.Background(), pr, "192.0.2.1:1234")
	if err != nil {
		t.Fatalf("NewRequest(%q) = %v", raw, err)
	}
	var out strings.Builder
	bw := bufio.NewWriter(&out)
	logs := new(testkit.LogRecorder)
	w := ch04.NewResponse(r, bw, keepAlive)
	w.Logf = logs.Logf
	ok := ch04.Serve(h, w, r)
	if err := w.Finish(); err != nil {
		t.Errorf("Finish() = %v", err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return exchange{dateLine.ReplaceAllString(out.String(), "Date: <date>\r\n"), w, ok, logs}
}

const (
	get11  = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	get10  = "GET / HTTP/1.0\r\n\r\n"
	head11 = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
)

func TestResponse(t *testing.T) {
	big := strings.Repeat("a", 3000)
	tests := []struct {
		name      string
		raw       string
		keepAlive bool
		handler   http.HandlerFunc
		want      string
		mustClose bool
	}{
		{
			name:    "implicit 200, sniffed type, length from the buffer",
			raw:     get11,
			handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 5\r\nConnection: close\r\n\r\nhello",
			mustClose: true,
		},
		{
			name:    "HTML is sniffed as HTML",
			raw:     get11,
			handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html><body>hi") },
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/html; charset=utf-8\r\n" +
				"Content-Length: 14\r\nConnection: close\r\n\r\n<html><body>hi",
			mustClose: true,
		},
		{
			name: "status and fields, names sorted",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-B", "2")
				w.Header().Set("X-A", "1")
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, "nope")
			},
			want: "HTTP/1.1 404 Not Found\r\nDate: <date>\r\nX-A: 1\r\nX-B: 2\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope",
			mustClose: true,
		},
		{
			name:      "a handler that writes nothing sends 200 and an empty body",
			raw:       get11,
			keepAlive: true,
			handler:   func(w http.ResponseWriter, r *http.Request) {},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name: "the header map is copied at WriteHeader: later changes are not sent",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/x-early")
				w.WriteHeader(http.StatusAccepted)
				w.Header().Set("X-Late", "1")
				w.Header().Set("Content-Type", "text/x-late")
				io.WriteString(w, "x")
			},
			want: "HTTP/1.1 202 Accepted\r\nDate: <date>\r\nContent-Type: text/x-early\r\n" +
				"Content-Length: 1\r\nConnection: close\r\n\r\nx",
			mustClose: true,
		},
		{
			name: "103 Early Hints goes out at once, then the final response",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Link", "</style.css>; rel=preload; as=style")
				w.WriteHeader(http.StatusEarlyHints)
				io.WriteString(w, "ok")
			},
			want: "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n" +
				"HTTP/1.1 200 OK\r\nDate: <date>\r\nLink: </style.css>; rel=preload; as=style\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
			mustClose: true,
		},
		{
			name: "no 1xx for an HTTP/1.0 client",
			raw:  get10,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				io.WriteString(w, "ok")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 2\r\nConnection: close\r\n\r\nok",
			mustClose: true,
		},
		{
			name:    "HEAD gets GET's fields and no body",
			raw:     head11,
			handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 5\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name:      "HEAD that writes nothing says no length",
			raw:       head11,
			handler:   func(w http.ResponseWriter, r *http.Request) {},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "HEAD keeps the handler's Content-Length",
			raw:  head11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name:      "the handler's Content-Length is used",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "5")
				io.WriteString(w, "hello")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 5\r\n\r\nhello",
		},
		{
			name:      "writing less than the Content-Length closes the connection",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "10")
				io.WriteString(w, "hello")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 10\r\n\r\nhello",
			mustClose: true,
		},
		{
			name: "an invalid Content-Length from the handler is ignored",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "+5")
				io.WriteString(w, "hi")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 2\r\nConnection: close\r\n\r\nhi",
			mustClose: true,
		},
		{
			name:      "a body larger than the buffer is chunked",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, big)
				io.WriteString(w, big)
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Transfer-Encoding: chunked\r\n\r\nbb8\r\n" + big + "\r\nbb8\r\n" + big + "\r\n0\r\n\r\n",
		},
		{
			name: "Flush sends the head: the rest is chunked",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "a")
				w.(http.Flusher).Flush()
				io.WriteString(w, "bc")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\na\r\n2\r\nbc\r\n0\r\n\r\n",
			mustClose: true,
		},
		{
			name:      "HTTP/1.0 cannot be chunked: the body ends with the connection",
			raw:       get10,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "a")
				w.(http.Flusher).Flush()
				io.WriteString(w, "bc")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Connection: close\r\n\r\nabc",
			mustClose: true,
		},
		{
			name:      "HTTP/1.0 kept alive says so",
			raw:       get10,
			keepAlive: true,
			handler:   func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") },
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 2\r\nConnection: keep-alive\r\n\r\nhi",
		},
		{
			name:      "Connection: close from the handler",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close")
				io.WriteString(w, "bye")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 3\r\nConnection: close\r\n\r\nbye",
			mustClose: true,
		},
		{
			name:      "the handler's framing fields are not sent, whatever their case",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Transfer-Encoding", "chunked")
				w.Header()["content-length"] = []string{"99"}
				io.WriteString(w, "x")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 99\r\n\r\nx",
			mustClose: true, // it promised 99 bytes and wrote 1
		},
		{
			name: "204 has no body and no length",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
				if _, err := io.WriteString(w, "x"); err != http.ErrBodyNotAllowed {
					panic("Write after 204 = " + errString(err))
				}
			},
			want:      "HTTP/1.1 204 No Content\r\nDate: <date>\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "304 sends no Content-Length",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "5")
				w.Header().Set("Etag", `"v1"`)
				w.WriteHeader(http.StatusNotModified)
			},
			want:      "HTTP/1.1 304 Not Modified\r\nDate: <date>\r\nEtag: \"v1\"\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "a Content-Type key without value turns sniffing off",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil
				io.WriteString(w, "<html>")
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<html>",
			mustClose: true,
		},
		{
			name: "the handler's Date replaces the generated one",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "CR and LF in a value become spaces: no response splitting",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Evil", "a\r\nSet-Cookie: owned=1")
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nX-Evil: a  Set-Cookie: owned=1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "a field whose name is not a token is dropped",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Bad Name"] = []string{"v"}
				w.Header()["X-Ok"] = []string{"  padded\t"}
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nX-Ok: padded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name: "each value on its own line",
			raw:  get11,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Set-Cookie", "a=1")
				w.Header().Add("Set-Cookie", "b=2")
			},
			want:      "HTTP/1.1 200 OK\r\nDate: <date>\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
		{
			name:      "declared trailers force chunking and follow the last chunk",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Trailer", "X-Sum")
				io.WriteString(w, "abc")
				w.Header().Set("X-Sum", "42")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nTrailer: X-Sum\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n",
		},
		{
			name:      "trailers set with http.TrailerPrefix",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "abc")
				w.(http.Flusher).Flush()
				w.Header().Set(http.TrailerPrefix+"X-Late", "1")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Late: 1\r\n\r\n",
		},
		{
			name:      "undeclared trailers in sorted order",
			raw:       get11,
			keepAlive: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "abc")
				w.(http.Flusher).Flush()
				for _, k := range []string{"X-E", "X-B", "X-D", "X-A", "X-C"} {
					w.Header().Set(http.TrailerPrefix+k, "1")
				}
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n" +
				"X-A: 1\r\nX-B: 1\r\nX-C: 1\r\nX-D: 1\r\nX-E: 1\r\n\r\n",
		},
		{
			name:      "a code without a reason phrase",
			raw:       get11,
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(799) },
			want:      "HTTP/1.1 799 \r\nDate: <date>\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			mustClose: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := run(t, tt.raw, tt.keepAlive, tt.handler)
			if x.out != tt.want {
				t.Errorf("response to %q =\n%q\nwant\n%q", tt.raw, x.out, tt.want)
			}
			if got := x.w.MustClose(); got != tt.mustClose {
				t.Errorf("MustClose() = %v, want %v", got, tt.mustClose)
			}
			if !x.ok {
				t.Errorf("Serve() = false, want true")
			}
		})
	}
}

func TestWriteHeaderSuperfluous(t *testing.T) {
	x := run(t, get11, false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusInternalServerError)
		w.WriteHeader(http.StatusBadGateway)
	})
	if !strings.HasPrefix(x.out, "HTTP/1.1 201 Created\r\n") {
		t.Errorf("response = %q, want the first status, 201", x.out)
	}
	logged := x.logs.Matching("superfluous")
	if len(logged) != 1 {
		t.Fatalf("logged %q, want one line about the superfluous calls", x.logs.Lines())
	}
	// The line names the handler that made the call, not the bridge.
	if !strings.Contains(logged[0], "ch04_test.TestWriteHeaderSuperfluous") {
		t.Errorf("log line %q does not name the calling handler", logged[0])
	}
	if x.w.Status() != http.StatusCreated {
		t.Errorf("Status() = %d, want 201", x.w.Status())
	}
}

func TestWriteErrors(t *testing.T) {
	var errs []error
	x := run(t, get11, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3")
		_, err := io.WriteString(w, "hello")
		errs = append(errs, err)
	})
	if !errors.Is(errs[0], http.ErrContentLength) {
		t.Errorf("writing 5 bytes with Content-Length: 3 = %v, want http.ErrContentLength", errs[0])
	}
	if x.w.Written() != 0 {
		t.Errorf("Written() = %d after a refused write, want 0: refused bytes were not sent", x.w.Written())
	}
	if !x.w.MustClose() {
		t.Errorf("MustClose() = false after a body shorter than its Content-Length")
	}
	if _, err := x.w.Write([]byte("late")); !errors.Is(err, ch04.ErrFinished) {
		t.Errorf("Write after Finish = %v, want ErrFinished", err)
	}
}

func TestResponseWithoutConn(t *testing.T) {
	run(t, get11, false, func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if _, _, err := rc.Hijack(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Hijack() = %v, want http.ErrNotSupported without a connection", err)
		}
		if err := rc.SetReadDeadline(time.Now()); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("SetReadDeadline() = %v, want http.ErrNotSupported without a connection", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex() = %v", err)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestAccessors: what a connection loop and an access log read after the
// handler.
func TestAccessors(t *testing.T) {
	var before bool
	x := run(t, get11, true, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "hello")
		before = w.(*ch04.Response).HeadWritten()
		http.NewResponseController(w).EnableFullDuplex()
	})
	if before {
		t.Errorf("HeadWritten() = true while the body was still in the buffer")
	}
	w := x.w
	if w.Status() != 201 || w.Written() != 5 || !w.HeadWritten() || w.Hijacked() || !w.FullDuplex() || w.MustClose() {
		t.Errorf("Status %d, Written %d, HeadWritten %v, Hijacked %v, FullDuplex %v, MustClose %v; want 201, 5, true, false, true, false",
			w.Status(), w.Written(), w.HeadWritten(), w.Hijacked(), w.FullDuplex(), w.MustClose())
	}
}
