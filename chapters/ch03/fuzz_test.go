package ch03

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// FuzzWriteResponseField checks that no header field, however hostile,
// splits a response: either WriteResponse refuses it, or the response
// holds exactly the expected field lines and net/http's client reads it
// back with the body intact.
func FuzzWriteResponseField(f *testing.F) {
	f.Add("X-Request-Id", "abc-123")
	f.Add("Location", "/a\r\nSet-Cookie: admin=1")
	f.Add("X-A", "v\r\n\r\nHTTP/1.1 200 OK\r\n")
	f.Add("Content-Type", "text/html")
	f.Add("Date", "Thu, 01 Jan 1970 00:00:00 GMT")
	f.Add("Bad Name", "v")
	f.Add("X-Nul", "a\x00b")
	f.Add("X-Latin", "caf\xe9")
	f.Fuzz(func(t *testing.T, name, value string) {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		resp := &Response{Body: []byte("x"), Header: []ch02.Field{{Name: name, Value: value}}}
		if err := WriteResponse(bw, newRequest("GET", 1), resp); err != nil {
			if out.Len() != 0 || bw.Buffered() != 0 {
				t.Fatalf("refused field %q: %q wrote %q", name, value, out.String())
			}
			return
		}
		bw.Flush()
		raw := out.String()

		head, _, ok := strings.Cut(raw, "\r\n\r\n")
		if !ok {
			t.Fatalf("field %q: %q: response %q has no end of head", name, value, raw)
		}
		// Date, Content-Type and Content-Length, one of the first two
		// perhaps replaced by the caller's field, plus the caller's field.
		want := 4
		if strings.EqualFold(name, "Date") || strings.EqualFold(name, "Content-Type") {
			want = 3
		}
		if got := strings.Count(head, "\r\n"); got != want {
			t.Fatalf("field %q: %q: head %q has %d field lines, want %d", name, value, head, got, want)
		}
		got, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("field %q: %q: http.ReadResponse(%q): %v", name, value, raw, err)
		}
		body, err := io.ReadAll(got.Body)
		if err != nil || string(body) != "x" {
			t.Fatalf("field %q: %q: body = %q, %v, want %q", name, value, body, err, "x")
		}
	})
}
