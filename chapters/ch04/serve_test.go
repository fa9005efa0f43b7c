package ch04_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

const internalError = "HTTP/1.1 500 Internal Server Error\r\nDate: <date>\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n" +
	"Content-Length: 22\r\nConnection: close\r\n\r\nInternal Server Error\n"

func TestServePanic(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // the response, Date values as <date>
		wantOK  bool   // Serve's result: false means cut
		wantLog bool   // whether the panic is logged
	}{
		{
			name:    "before anything is written: 500",
			handler: func(w http.ResponseWriter, r *http.Request) { panic("boom") },
			want:    internalError,
			wantOK:  true,
			wantLog: true,
		},
		{
			name: "after WriteHeader and a write still in the buffer: 500 replaces them",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Set-Cookie", "session=secret")
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, "half a reply")
				panic("boom")
			},
			want:    internalError,
			wantOK:  true,
			wantLog: true,
		},
		{
			name: "after a 1xx: the 1xx stays, then 500",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				panic("boom")
			},
			want:    "HTTP/1.1 103 Early Hints\r\n\r\n" + internalError,
			wantOK:  true,
			wantLog: true,
		},
		{
			name:    "an invalid status code panics like net/http: 500",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) },
			want:    internalError,
			wantOK:  true,
			wantLog: true,
		},
		{
			name:    "panic(nil) is a panic too",
			handler: func(w http.ResponseWriter, r *http.Request) { panic(nil) },
			want:    internalError,
			wantOK:  true,
			wantLog: true,
		},
		{
			name: "after the head was flushed: cut, no last chunk",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "part")
				w.(http.Flusher).Flush()
				panic("boom")
			},
			want: "HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n4\r\npart\r\n",
			wantOK:  false,
			wantLog: true,
		},
		{
			name:    "http.ErrAbortHandler cuts quietly, even before a byte",
			handler: func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
			want:    "",
			wantOK:  false,
			wantLog: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := run(t, get11, true, tt.handler)
			if x.out != tt.want {
				t.Errorf("response =\n%q\nwant\n%q", x.out, tt.want)
			}
			if x.ok != tt.wantOK {
				t.Errorf("Serve() = %v, want %v", x.ok, tt.wantOK)
			}
			if !x.w.MustClose() {
				t.Errorf("MustClose() = false after a panic, want true")
			}
			logged := x.logs.Matching("panic serving")
			switch {
			case tt.wantLog && len(logged) != 1:
				t.Errorf("logged %q, want one panic line", x.logs.Lines())
			case tt.wantLog && !strings.Contains(logged[0], "goroutine "):
				t.Errorf("panic log %q has no stack", logged[0])
			case !tt.wantLog && len(x.logs.Lines()) > 0:
				t.Errorf("logged %q, want nothing", x.logs.Lines())
			}
		})
	}
}
