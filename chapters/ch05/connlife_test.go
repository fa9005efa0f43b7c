package ch05_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/internal/testkit"
)

// TestQuietConnLife: idle keep-alive closes, and connections that never
// send a request, are normal life: with QuietConnLife they leave no log
// line, without it they leave one; a 408 mid-head is logged either way.
func TestQuietConnLife(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, quiet := range []bool{true, false} {
		t.Run(map[bool]string{true: "quiet", false: "logged"}[quiet], func(t *testing.T) {
			logs := new(testkit.LogRecorder)
			_, addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "Hello, World!")
			}), func(s *ch05.Server) {
				s.Logf, s.QuietConnLife = logs.Logf, quiet
				s.IdleTimeout, s.ReadHeaderTimeout = timeout, timeout
			})

			idle := dial(t, addr)
			idle.expectOpen()
			idle.expectClosed() // the line, if any, is written before the close
			silent := dial(t, addr)
			silent.expectClosed()
			for _, sub := range []string{"idle for", "no request within"} {
				if lines := logs.Matching(sub); quiet != (len(lines) == 0) {
					t.Errorf("QuietConnLife %v: log lines with %q: %q", quiet, sub, lines)
				}
			}

			slow := dial(t, addr)
			slow.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
			if resp, _ := slow.response("GET"); resp.StatusCode != http.StatusRequestTimeout {
				t.Fatalf("half a head = %d, want 408", resp.StatusCode)
			}
			if lines := logs.Matching("rejected with 408"); len(lines) != 1 {
				t.Errorf("QuietConnLife %v: log lines about the 408: %q, want one", quiet, lines)
			}
		})
	}
}
