package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFastHTTPPeer starts the fasthttp peer and checks that it answers
// GET / as the demo app does (status, body, Content-Type, Date, no
// Server), answers GET /pid, refuses POST, takes the bench's load and
// stops when its context is done.
func TestFastHTTPPeer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ServeFastHTTP(ctx, ln) }()
	defer func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("ServeFastHTTP: %v", err)
			}
		case <-time.After(FastHTTPShutdownTimeout + time.Second):
			t.Error("ServeFastHTTP did not return after its context was done")
		}
	}()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}

	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}

	resp, body := get("GET", "/")
	if resp.StatusCode != 200 || body != "Hello, World!" || resp.ContentLength != 13 {
		t.Errorf("GET /: %d, %d bytes %q; want 200 and the 13 bytes Hello, World!", resp.StatusCode, resp.ContentLength, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("GET /: Content-Type %q, want text/plain; charset=utf-8", ct)
	}
	if d := resp.Header.Get("Date"); d == "" {
		t.Error("GET /: no Date header")
	} else if _, err := http.ParseTime(d); err != nil {
		t.Errorf("GET /: Date %q: %v", d, err)
	}
	if s, ok := resp.Header["Server"]; ok {
		t.Errorf("GET /: Server %q; the demo app sends none", s)
	}

	resp, body = get("GET", "/pid")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != strconv.Itoa(os.Getpid()) {
		t.Errorf("GET /pid: %d %q, want 200 and %d", resp.StatusCode, body, os.Getpid())
	}
	resp, _ = get("POST", "/")
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d, Allow %q; want 405 and GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	resp, _ = get("GET", "/nowhere")
	if resp.StatusCode != 404 {
		t.Errorf("GET /nowhere: %d, want 404", resp.StatusCode)
	}

	for _, noKeepAlive := range []bool{false, true} {
		r, err := Run(ctx, Config{Addr: ln.Addr().String(), Connections: 4, Requests: 400, NoKeepAlive: noKeepAlive})
		if err != nil {
			t.Fatal(err)
		}
		if r.Requests != 400 || r.Errors != 0 || r.Non2xx != 0 {
			t.Errorf("bench (no keep-alive %v): %d requests, %d errors, %d non-2xx; want 400, 0, 0",
				noKeepAlive, r.Requests, r.Errors, r.Non2xx)
		}
	}
}
