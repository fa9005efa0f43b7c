package ch04_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/demo"

	"github.com/httpfromscratch/course/internal/testkit"
)

// testTimeout bounds every wait in these tests: nothing here should take
// more than a fraction of it.
const testTimeout = 10 * time.Second

// startServer serves h with a ch04.Server on a 127.0.0.1 port and returns
// its address and log; the server is closed when the test ends.
func startServer(t *testing.T, h http.Handler, configure func(*ch04.Server)) (string, *testkit.LogRecorder) {
	t.Helper()
	ln := testkit.Listen(t)
	logs := new(testkit.LogRecorder)
	s := &ch04.Server{Handler: h, Logf: logs.Logf}
	if configure != nil {
		configure(s)
	}
	testkit.Serve(t, s, ln, ch04.ErrServerClosed)
	return ln.Addr().String(), logs
}

// newClient returns an http.Client of its own, closed when the test ends.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testTimeout}
}

// do sends req and returns the response with its body read.
func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// rawExchange writes req on a new connection and reads until the server
// closes it.
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c := testkit.Dial(t, addr, testTimeout)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil && len(got) == 0 {
		t.Fatalf("reading the reply to %q: %v", req, err)
	}
	return string(got)
}

// onlyReader hides a reader's length, so http.Client sends it chunked.
type onlyReader struct{ io.Reader }

func TestServerDemo(t *testing.T) {
	addr, logs := startServer(t, demo.New(), nil)
	c := newClient(t)
	base := "http://" + addr

	t.Run("GET /", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "GET", base+"/", nil))
		if resp.StatusCode != 200 || body != "Hello, World!" || resp.ContentLength != 13 || !resp.Close {
			t.Errorf("GET / = %d %q (length %d, close %v), want 200 \"Hello, World!\" (13, close)", resp.StatusCode, body, resp.ContentLength, resp.Close)
		}
	})
	t.Run("POST /echo with a chunked body", func(t *testing.T) {
		req := newRequest(t, "POST", base+"/echo?x=1", onlyReader{strings.NewReader("hello, echo")})
		req.Header.Set("x-test", "a")
		resp, body := do(t, c, req)
		var echo struct {
			Method, URI, Proto, Host, Body string
			Headers                        map[string][]string
		}
		if err := json.Unmarshal([]byte(body), &echo); err != nil {
			t.Fatalf("POST /echo = %d %q: %v", resp.StatusCode, body, err)
		}
		if resp.StatusCode != 200 || echo.Body != "hello, echo" || echo.URI != "/echo?x=1" || echo.Host != addr ||
			echo.Headers["X-Test"][0] != "a" || echo.Headers["Transfer-Encoding"] != nil {
			t.Errorf("POST /echo = %d %+v", resp.StatusCode, echo)
		}
	})
	t.Run("GET /status/418", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "GET", base+"/status/418", nil))
		if resp.StatusCode != 418 || body != "I'm a teapot" {
			t.Errorf("GET /status/418 = %d %q, want 418 \"I'm a teapot\"", resp.StatusCode, body)
		}
	})
	t.Run("POST /upload", func(t *testing.T) {
		data := strings.Repeat("0123456789", 100_000) // 1 MB: many buffers' worth
		sum := sha256.Sum256([]byte(data))
		resp, body := do(t, c, newRequest(t, "POST", base+"/upload", onlyReader{strings.NewReader(data)}))
		want := fmt.Sprintf(`{"bytes":%d,"sha256":"%s"}`+"\n", len(data), hex.EncodeToString(sum[:]))
		if resp.StatusCode != 200 || body != want {
			t.Errorf("POST /upload = %d %q, want 200 %q", resp.StatusCode, body, want)
		}
	})
	t.Run("GET /stream?n=3 is chunked", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "GET", base+"/stream?n=3", nil))
		if resp.StatusCode != 200 || body != "line 1\nline 2\nline 3\n" || len(resp.TransferEncoding) != 1 {
			t.Errorf("GET /stream?n=3 = %d %q (Transfer-Encoding %q), want 200, three lines, chunked", resp.StatusCode, body, resp.TransferEncoding)
		}
	})
	t.Run("GET /pid", func(t *testing.T) {
		_, body := do(t, c, newRequest(t, "GET", base+"/pid", nil))
		if body != strconv.Itoa(os.Getpid())+"\n" {
			t.Errorf("GET /pid = %q, want %d", body, os.Getpid())
		}
	})
	t.Run("GET /panic is 500, and the server lives on", func(t *testing.T) {
		resp, _ := do(t, c, newRequest(t, "GET", base+"/panic", nil))
		if resp.StatusCode != 500 {
			t.Errorf("GET /panic = %d, want 500", resp.StatusCode)
		}
		if n := len(logs.Matching("panic serving")); n != 1 {
			t.Errorf("the panic was logged %d times, want once", n)
		}
		resp, body := do(t, c, newRequest(t, "GET", base+"/", nil))
		if resp.StatusCode != 200 || body != "Hello, World!" {
			t.Errorf("GET / after the panic = %d %q", resp.StatusCode, body)
		}
	})
	t.Run("HEAD /", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "HEAD", base+"/", nil))
		if resp.StatusCode != 200 || body != "" || resp.ContentLength != 13 {
			t.Errorf("HEAD / = %d %q (length %d), want 200, no body, length 13", resp.StatusCode, body, resp.ContentLength)
		}
	})
	t.Run("broken chunked body to /echo is 400", func(t *testing.T) {
		got := rawExchange(t, addr, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
		if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
			t.Errorf("broken chunked body: got %q, want 400", got)
		}
	})
}

func TestServeMuxPatterns(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "item %s", r.PathValue("id"))
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", "/items/"+string(b))
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /files/{path...}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "file %s", r.PathValue("path"))
	})
	addr, _ := startServer(t, mux, nil)
	c := newClient(t)
	base := "http://" + addr
	tests := []struct {
		name, method, path, body string
		wantCode                 int
		wantBody, wantHeader     string // wantHeader: "Name: value"
	}{
		{"path value", "GET", "/items/42", "", 200, "item 42", ""},
		{"escaped path value", "GET", "/items/a%2Fb", "", 200, "item a/b", ""},
		{"HEAD is served by GET", "HEAD", "/items/1", "", 200, "", ""},
		{"wildcard rest", "GET", "/files/a/b/c.txt", "", 200, "file a/b/c.txt", ""},
		{"method pattern", "POST", "/items", "7", 201, "", "Location: /items/7"},
		{"wrong method is 405 with Allow", "DELETE", "/items/42", "", 405, "Method Not Allowed\n", "Allow: GET, HEAD"},
		{"no route is 404", "GET", "/nope", "", 404, "404 page not found\n", ""},
		{"cleaned path redirects", "GET", "/items/../items/9", "", 200, "item 9", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := newRequest(t, tt.method, base+tt.path, body)
			req.URL.Opaque = tt.path // send the path as written, ".." included
			resp, got := do(t, c, req)
			if resp.StatusCode != tt.wantCode || got != tt.wantBody {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, got, tt.wantCode, tt.wantBody)
			}
			if name, value, ok := strings.Cut(tt.wantHeader, ": "); ok && resp.Header.Get(name) != value {
				t.Errorf("%s %s: %s = %q, want %q", tt.method, tt.path, name, resp.Header.Get(name), value)
			}
		})
	}
}

func TestChi(t *testing.T) {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Middleware", "yes")
			next.ServeHTTP(w, r)
		})
	})
	r.Route("/api", func(r chi.Router) {
		r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "user %s", chi.URLParam(r, "id"))
		})
		r.Post("/users", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, "created %s", b)
		})
	})
	addr, _ := startServer(t, r, nil)
	c := newClient(t)
	base := "http://" + addr

	resp, body := do(t, c, newRequest(t, "GET", base+"/api/users/7", nil))
	if resp.StatusCode != 200 || body != "user 7" || resp.Header.Get("X-Middleware") != "yes" {
		t.Errorf("GET /api/users/7 = %d %q (X-Middleware %q), want 200 \"user 7\" through the middleware", resp.StatusCode, body, resp.Header.Get("X-Middleware"))
	}
	resp, body = do(t, c, newRequest(t, "POST", base+"/api/users", onlyReader{strings.NewReader("ann")}))
	if resp.StatusCode != 201 || body != "created ann" {
		t.Errorf("POST /api/users = %d %q, want 201 \"created ann\"", resp.StatusCode, body)
	}
	resp, _ = do(t, c, newRequest(t, "PUT", base+"/api/users/7", nil))
	if resp.StatusCode != 405 {
		t.Errorf("PUT /api/users/7 = %d, want 405", resp.StatusCode)
	}
}

func TestFileServer(t *testing.T) {
	dir := t.TempDir()
	const content = "0123456789abcdef"
	path := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	modTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, modTime, modTime); err != nil {
		t.Fatal(err)
	}
	addr, _ := startServer(t, http.FileServer(http.Dir(dir)), nil)
	c := newClient(t)
	url := "http://" + addr + "/hello.txt"

	t.Run("whole file", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "GET", url, nil))
		if resp.StatusCode != 200 || body != content || resp.Header.Get("Last-Modified") != modTime.Format(http.TimeFormat) {
			t.Errorf("GET = %d %q (Last-Modified %q)", resp.StatusCode, body, resp.Header.Get("Last-Modified"))
		}
	})
	t.Run("Range is 206", func(t *testing.T) {
		req := newRequest(t, "GET", url, nil)
		req.Header.Set("Range", "bytes=2-5")
		resp, body := do(t, c, req)
		if resp.StatusCode != 206 || body != "2345" || resp.Header.Get("Content-Range") != "bytes 2-5/16" {
			t.Errorf("GET with Range: bytes=2-5 = %d %q (Content-Range %q), want 206 \"2345\" (bytes 2-5/16)", resp.StatusCode, body, resp.Header.Get("Content-Range"))
		}
	})
	t.Run("If-Modified-Since is 304", func(t *testing.T) {
		req := newRequest(t, "GET", url, nil)
		req.Header.Set("If-Modified-Since", modTime.Format(http.TimeFormat))
		resp, body := do(t, c, req)
		if resp.StatusCode != 304 || body != "" {
			t.Errorf("GET with If-Modified-Since = %d %q, want 304 and no body", resp.StatusCode, body)
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		resp, body := do(t, c, newRequest(t, "HEAD", url, nil))
		if resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len(content)) {
			t.Errorf("HEAD = %d %q (length %d), want 200, no body, length %d", resp.StatusCode, body, resp.ContentLength, len(content))
		}
	})
}

// TestContextCancelledWhenClientGoes: a handler waiting on its context
// learns that the client closed the connection.
func TestContextCancelledWhenClientGoes(t *testing.T) {
	tests := []struct {
		name string
		req  string
	}{
		{"no body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"after reading the body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := make(chan struct{})
			cause := make(chan error, 1)
			child := make(chan error, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.ReadAll(r.Body)
				ctx, cancel := context.WithTimeout(r.Context(), testTimeout)
				defer cancel()
				close(started)
				<-ctx.Done()
				cause <- context.Cause(r.Context())
				child <- ctx.Err()
			})
			addr, _ := startServer(t, h, nil)
			c := testkit.Dial(t, addr, testTimeout)
			io.WriteString(c, tt.req)
			<-started
			c.Close()
			select {
			case err := <-cause:
				if !errors.Is(err, ch04.ErrClientGone) || !errors.Is(err, context.Canceled) {
					t.Errorf("context.Cause = %v, want ErrClientGone, which is also context.Canceled", err)
				}
				if err := <-child; !errors.Is(err, context.Canceled) {
					t.Errorf("a child context's Err() = %v, want context.Canceled", err)
				}
			case <-time.After(testTimeout):
				t.Fatal("the handler's context was not cancelled after the client left")
			}
		})
	}
}

// TestContextCancelledAfterHandler: whatever a handler started with its
// request's context stops when it returns, as with net/http.
func TestContextCancelledAfterHandler(t *testing.T) {
	ctxc := make(chan context.Context, 1)
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxc <- r.Context()
		if addr := r.Context().Value(http.LocalAddrContextKey); addr == nil {
			t.Errorf("the context has no http.LocalAddrContextKey")
		}
	}), nil)
	rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	ctx := <-ctxc
	select {
	case <-ctx.Done():
	case <-time.After(testTimeout):
		t.Fatal("the request's context is still alive after the handler returned")
	}
	if !errors.Is(context.Cause(ctx), context.Canceled) {
		t.Errorf("context.Cause = %v, want context.Canceled", context.Cause(ctx))
	}
}

func TestHijack(t *testing.T) {
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack() = %v", err)
			return
		}
		defer conn.Close()
		if _, _, err := w.(http.Hijacker).Hijack(); !errors.Is(err, http.ErrHijacked) {
			t.Errorf("second Hijack() = %v, want http.ErrHijacked", err)
		}
		if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrHijacked) {
			t.Errorf("Write after Hijack = %v, want http.ErrHijacked", err)
		}
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		line, _ := rw.ReadString('\n') // may already sit in the server's reader
		rw.WriteString("echo: " + line)
		rw.Flush()
	}), nil)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nping\n")
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\necho: ping\n"
	if got != want {
		t.Errorf("hijacked exchange = %q, want %q", got, want)
	}
}

// A handler may also answer 101 through the ResponseWriter and then
// hijack: the head goes out with the handler's Upgrade and
// "Connection: Upgrade" (RFC 9110 section 7.8), not "Connection: close".
func TestSwitchingProtocolsThenHijack(t *testing.T) {
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "echo")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack() = %v", err)
			return
		}
		defer conn.Close()
		line, _ := rw.ReadString('\n')
		rw.WriteString("echo: " + line)
		rw.Flush()
	}), nil)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nping\n")
	got = regexp.MustCompile(`Date: [^\r]*\r\n`).ReplaceAllString(got, "")
	want := "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\necho: ping\n"
	if got != want {
		t.Errorf("101 then hijack = %q, want %q", got, want)
	}
}

// TestResponseControllerDeadlines: a handler can bound its body reads
// with SetReadDeadline, and extend or shorten its writes' deadline.
func TestResponseControllerDeadlines(t *testing.T) {
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Errorf("SetReadDeadline() = %v", err)
		}
		_, err := io.ReadAll(r.Body)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("reading a stalled body = %v, want os.ErrDeadlineExceeded", err)
		}
		if err := rc.SetWriteDeadline(time.Now().Add(testTimeout)); err != nil {
			t.Errorf("SetWriteDeadline() = %v", err)
		}
		w.WriteHeader(http.StatusRequestTimeout)
	}), nil)
	// The client promises 10 bytes and sends 2.
	got := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhi")
	if !strings.HasPrefix(got, "HTTP/1.1 408 ") {
		t.Errorf("reply = %q, want 408", got)
	}
}

// TestRawRequests: requests the parser rejects get chapter 3's error
// replies, and a few answered ones show the framing on the wire.
func TestRawRequests(t *testing.T) {
	addr, _ := startServer(t, demo.New(), func(s *ch04.Server) {
		s.Limits = ch02.Limits{MaxBodyBytes: 1 << 20}
	})
	tests := []struct {
		name, req string
		want      []string // substrings of the reply, in order
		absent    string   // must not appear
	}{
		{"no Host", "GET / HTTP/1.1\r\n\r\n", []string{"HTTP/1.1 400 Bad Request\r\n", "Connection: close\r\n"}, ""},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", []string{"HTTP/1.1 505 HTTP Version Not Supported\r\n"}, ""},
		{"unknown coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", []string{"HTTP/1.1 501 Not Implemented\r\n"}, ""},
		{"request-line too long", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", []string{"HTTP/1.1 414 "}, ""},
		{"too many fields", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-A: 1\r\n", 101) + "\r\n", []string{"HTTP/1.1 431 Request Header Fields Too Large\r\n"}, ""},
		{"body over the limit", "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", []string{"HTTP/1.1 413 "}, ""},
		{"chunked body over the limit reaches the handler as 413", "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n", []string{"HTTP/1.1 413 "}, ""},
		{"target net/url refuses", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", []string{"HTTP/1.1 400 Bad Request\r\n", "request-target"}, ""},
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", []string{"HTTP/1.1 200 OK\r\n", "Content-Length: 0\r\n"}, ""},
		{"HTTP/1.0 stream ends with the connection", "GET /stream?n=3 HTTP/1.0\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\n", "Connection: close\r\n\r\nline 1\nline 2\nline 3\n"}, "Transfer-Encoding"},
		{"HTTP/1.1 stream is chunked", "GET /stream?n=2 HTTP/1.1\r\nHost: a\r\n\r\n",
			[]string{"Transfer-Encoding: chunked\r\n", "\r\n\r\n7\r\nline 1\n\r\n7\r\nline 2\n\r\n0\r\n\r\n"}, "Content-Length"},
		{"HEAD has no body", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", []string{"Content-Length: 13\r\n", "Connection: close\r\n\r\n"}, "Hello"},
		{"chunked request body is decoded", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\n", `"body":"abcde"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawExchange(t, addr, tt.req)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("reply to %.60q = %q, want %q in it (in order)", tt.req, got, w)
				}
				rest = rest[i+len(w):]
			}
			if tt.absent != "" && strings.Contains(got, tt.absent) {
				t.Errorf("reply to %.60q = %q, want no %q", tt.req, got, tt.absent)
			}
		})
	}
}

// TestUnreadBodyDoesNotLoseTheReply: a handler that answers without
// reading a large body must still have its reply read by the client,
// which a close with unread input (a TCP reset) could destroy.
func TestUnreadBodyDoesNotLoseTheReply(t *testing.T) {
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "not you")
	}), nil)
	c := testkit.Dial(t, addr, testTimeout)
	const size = 1 << 20
	go func() {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
		c.Write(make([]byte, size)) // fails part way once the server has closed: fine
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || string(body) != "not you" || err != nil {
		t.Errorf("reply = %d %q, %v; want 403 \"not you\"", resp.StatusCode, body, err)
	}
}

// TestReadHeaderTimeout: a client that connects and sends nothing is let
// go once the timeout passes.
func TestReadHeaderTimeout(t *testing.T) {
	addr, _ := startServer(t, demo.New(), func(s *ch04.Server) { s.ReadHeaderTimeout = 50 * time.Millisecond })
	c := testkit.Dial(t, addr, testTimeout)
	got, err := io.ReadAll(c)
	if err != nil || len(got) != 0 {
		t.Errorf("an idle connection got %q, %v; want it closed without a word", got, err)
	}
}
