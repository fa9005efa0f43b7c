package ch02

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestGetValues(t *testing.T) {
	req := &Request{Header: []Field{{"Accept", "a"}, {"X", "1"}, {"accept", "b"}}}
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

// A line over its limit is refused once the bytes that prove it have
// arrived, whatever the reader's buffer size: with a 4 KiB buffer, a
// request-line of 8,195 bytes and nothing after it used to wait for the
// buffer to fill a third time.
func TestAppendLineStopsAtTheLimit(t *testing.T) {
	const limit = 8192 + 2
	for _, n := range []int{limit + 1, limit + 100, 3*4096 - 1} {
		pr, pw := io.Pipe()
		go pw.Write(bytes.Repeat([]byte("a"), n)) //nolint:errcheck // ends with the pipe
		got := make(chan error, 1)
		go func() {
			_, err := AppendLine(nil, bufio.NewReaderSize(pr, 4096), limit)
			got <- err
		}()
		select {
		case err := <-got:
			if !errors.Is(err, errLineTooLong) {
				t.Errorf("%d bytes: AppendLine() = %v, want errLineTooLong", n, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%d bytes with no line end: AppendLine still waits after 10s", n)
		}
		pr.Close()
		pw.Close()
	}
}
