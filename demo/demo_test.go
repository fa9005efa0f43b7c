package demo

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

// pinPID makes GET /pid answer pid for the rest of the test.
func pinPID(t *testing.T, pid int) {
	t.Helper()
	old := getpid
	getpid = func() int { return pid }
	t.Cleanup(func() { getpid = old })
}

// serve runs the demo handler on one request through a ResponseRecorder.
func serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	New().ServeHTTP(rec, req)
	return rec
}

const (
	textType = "text/plain; charset=utf-8"
	jsonType = "application/json"
)

func TestServeHTTP(t *testing.T) {
	pinPID(t, 4242)
	tests := []struct {
		name   string
		method string
		target string
		header http.Header // added to the request
		body   string
		code   int
		want   http.Header // every header the response must have, exactly
		wbody  string
	}{
		{name: "hello", method: "GET", target: "/", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"13"}},
			wbody: "Hello, World!"},
		// The recorder keeps what the handler writes; dropping the body of
		// a HEAD response is the server's job (TestWire covers net/http).
		{name: "hello HEAD", method: "HEAD", target: "/", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"13"}},
			wbody: "Hello, World!"},
		{name: "hello POST", method: "POST", target: "/", body: "x", code: 405,
			want:  http.Header{"Allow": {"GET, HEAD"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},
		{name: "hello with query", method: "GET", target: "/?a=1", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"13"}},
			wbody: "Hello, World!"},
		{name: "unknown path", method: "GET", target: "/nope", code: 404,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"19"}},
			wbody: "404 page not found\n"},
		{name: "trailing slash is another path", method: "GET", target: "/pid/", code: 404,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"19"}},
			wbody: "404 page not found\n"},

		{name: "echo", method: "PUT", target: "/echo?a=1&b=2",
			header: http.Header{"X-Rep": {"one", "two"}, "Accept": {"*/*"}}, body: "<p>&</p>", code: 200,
			want: http.Header{"Content-Type": {jsonType}, "Content-Length": {"148"}},
			wbody: `{"method":"PUT","uri":"/echo?a=1&b=2","proto":"HTTP/1.1","host":"example.com",` +
				`"headers":{"Accept":["*/*"],"X-Rep":["one","two"]},"body":"<p>&</p>"}` + "\n"},
		{name: "echo no headers", method: "GET", target: "/echo", code: 200,
			want: http.Header{"Content-Type": {jsonType}, "Content-Length": {"94"}},
			wbody: `{"method":"GET","uri":"/echo","proto":"HTTP/1.1","host":"example.com",` +
				`"headers":{},"body":""}` + "\n"},

		{name: "status 404", method: "GET", target: "/status/404", code: 404,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"9"}},
			wbody: "Not Found"},
		{name: "status 200 HEAD", method: "HEAD", target: "/status/200", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"2"}},
			wbody: "OK"},
		{name: "status 418", method: "GET", target: "/status/418", code: 418,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"12"}},
			wbody: "I'm a teapot"},
		{name: "status unknown 599", method: "GET", target: "/status/599", code: 599,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"15"}},
			wbody: "status code 599"},
		{name: "status 999", method: "GET", target: "/status/999", code: 999,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"15"}},
			wbody: "status code 999"},
		{name: "status 100 no body", method: "GET", target: "/status/100", code: 100, want: http.Header{}},
		{name: "status 204 no body", method: "GET", target: "/status/204", code: 204, want: http.Header{}},
		{name: "status 304 no body", method: "GET", target: "/status/304", code: 304, want: http.Header{}},
		{name: "status 205 length 0", method: "GET", target: "/status/205", code: 205,
			want: http.Header{"Content-Length": {"0"}}},
		{name: "status POST", method: "POST", target: "/status/200", code: 405,
			want:  http.Header{"Allow": {"GET, HEAD"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},
		{name: "status without code", method: "GET", target: "/status", code: 404,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"19"}},
			wbody: "404 page not found\n"},

		{name: "pid", method: "GET", target: "/pid", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"5"}},
			wbody: "4242\n"},
		{name: "pid DELETE", method: "DELETE", target: "/pid", code: 405,
			want:  http.Header{"Allow": {"GET, HEAD"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},

		{name: "stream default", method: "GET", target: "/stream", code: 200,
			want:  http.Header{"Content-Type": {textType}},
			wbody: "line 1\nline 2\nline 3\nline 4\nline 5\n"},
		{name: "stream n=2", method: "GET", target: "/stream?n=2", code: 200,
			want:  http.Header{"Content-Type": {textType}},
			wbody: "line 1\nline 2\n"},
		{name: "stream n=0", method: "GET", target: "/stream?n=0", code: 200,
			want: http.Header{"Content-Type": {textType}}},
		{name: "stream POST", method: "POST", target: "/stream", code: 405,
			want:  http.Header{"Allow": {"GET, HEAD"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},

		{name: "sleep 0", method: "GET", target: "/sleep?ms=0", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"10"}},
			wbody: "slept 0 ms"},
		{name: "sleep 3", method: "GET", target: "/sleep?ms=3", code: 200,
			want:  http.Header{"Content-Type": {textType}, "Content-Length": {"10"}},
			wbody: "slept 3 ms"},

		{name: "upload", method: "POST", target: "/upload", body: "hello", code: 200,
			want:  http.Header{"Content-Type": {jsonType}, "Content-Length": {"88"}},
			wbody: `{"bytes":5,"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}` + "\n"},
		{name: "upload empty", method: "POST", target: "/upload", code: 200,
			want:  http.Header{"Content-Type": {jsonType}, "Content-Length": {"88"}},
			wbody: `{"bytes":0,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}` + "\n"},
		{name: "upload GET", method: "GET", target: "/upload", code: 405,
			want:  http.Header{"Allow": {"POST"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},

		{name: "panic POST", method: "POST", target: "/panic", code: 405,
			want:  http.Header{"Allow": {"GET, HEAD"}, "Content-Type": {textType}, "Content-Length": {"23"}},
			wbody: "405 method not allowed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			rec := serve(t, req)
			res := rec.Result()
			if rec.Code != tt.code || rec.Body.String() != tt.wbody {
				t.Errorf("ServeHTTP(%s %s) = %d %q, want %d %q",
					tt.method, tt.target, rec.Code, rec.Body.String(), tt.code, tt.wbody)
			}
			checkHeader(t, tt.method+" "+tt.target, res.Header, tt.want)
		})
	}
}

// checkHeader fails the test unless got has exactly want's fields.
func checkHeader(t *testing.T, req string, got, want http.Header) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("ServeHTTP(%s) header = %v, want %v", req, got, want)
		return
	}
	for k, vs := range want {
		if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
			t.Errorf("ServeHTTP(%s) header %s = %q, want %q", req, k, got[k], vs)
		}
	}
}

// TestBadParams checks that every malformed number is a 400 naming the
// parameter, never a default or a partial parse.
func TestBadParams(t *testing.T) {
	const (
		badN      = "400 bad request: n must be an integer in 0..10000\n"
		badMS     = "400 bad request: ms must be an integer in 0..60000\n"
		badStatus = "400 bad request: status code must be 100..999\n"
	)
	tests := []struct {
		name, target, want string
	}{
		{"stream negative", "/stream?n=-1", badN},
		{"stream plus sign", "/stream?n=%2B5", badN},
		{"stream over max", "/stream?n=10001", badN},
		{"stream huge", "/stream?n=99999999999999999999999", badN},
		{"stream word", "/stream?n=five", badN},
		{"stream empty", "/stream?n=", badN},
		{"stream space", "/stream?n=%205", badN},
		{"sleep missing", "/sleep", badMS},
		{"sleep empty", "/sleep?ms=", badMS},
		{"sleep over max", "/sleep?ms=60001", badMS},
		{"sleep unit", "/sleep?ms=5ms", badMS},
		{"sleep float", "/sleep?ms=1.5", badMS},
		{"status empty", "/status/", badStatus},
		{"status 99", "/status/99", badStatus},
		{"status 099", "/status/099", badStatus},
		{"status 1000", "/status/1000", badStatus},
		{"status 0200", "/status/0200", badStatus},
		{"status +20", "/status/+20", badStatus},
		{"status word", "/status/abc", badStatus},
		{"status subpath", "/status/200/x", badStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, httptest.NewRequest("GET", tt.target, nil))
			if rec.Code != http.StatusBadRequest || rec.Body.String() != tt.want {
				t.Errorf("ServeHTTP(GET %s) = %d %q, want 400 %q", tt.target, rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

var errBroken = errors.New("broken chunked framing")

// TestBodyErrors checks that a body the handler cannot read is a 400, or a
// 413 when it is cut off by a MaxBytesReader, on both body-reading routes.
func TestBodyErrors(t *testing.T) {
	tooLarge := func(r io.Reader) io.ReadCloser {
		return http.MaxBytesReader(nil, io.NopCloser(r), 3)
	}
	tests := []struct {
		name   string
		target string
		body   io.ReadCloser
		code   int
		want   string
	}{
		{"echo read error", "/echo", io.NopCloser(errReader{errBroken}), 400, "400 bad request: cannot read body\n"},
		{"upload read error", "/upload", io.NopCloser(errReader{errBroken}), 400, "400 bad request: cannot read body\n"},
		{"echo server limit", "/echo", tooLarge(strings.NewReader("four")), 413, "413 request body too large\n"},
		{"upload server limit", "/upload", tooLarge(strings.NewReader("four")), 413, "413 request body too large\n"},
		{"echo own limit", "/echo", io.NopCloser(io.LimitReader(zeros{}, MaxEchoBodyBytes+1)), 413, "413 request body too large\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tt.target, nil)
			req.Body = tt.body
			rec := serve(t, req)
			if rec.Code != tt.code || rec.Body.String() != tt.want {
				t.Errorf("ServeHTTP(POST %s) = %d %q, want %d %q", tt.target, rec.Code, rec.Body.String(), tt.code, tt.want)
			}
		})
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestEchoLimitExact proves a body of exactly MaxEchoBodyBytes still echoes.
func TestEchoLimitExact(t *testing.T) {
	req := httptest.NewRequest("POST", "/echo", io.LimitReader(zeros{}, MaxEchoBodyBytes))
	rec := serve(t, req)
	if rec.Code != 200 || rec.Body.Len() < MaxEchoBodyBytes {
		t.Errorf("ServeHTTP(POST /echo, %d bytes) = %d with %d bytes, want 200 echoing them all",
			MaxEchoBodyBytes, rec.Code, rec.Body.Len())
	}
}

// TestNilBody proves a server that leaves Body nil gets an empty body, not
// a crash.
func TestNilBody(t *testing.T) {
	for _, target := range []string{"/echo", "/upload"} {
		req := httptest.NewRequest("POST", target, nil)
		req.Body = nil
		if rec := serve(t, req); rec.Code != 200 {
			t.Errorf("ServeHTTP(POST %s, nil Body) = %d %q, want 200", target, rec.Code, rec.Body.String())
		}
	}
}

// TestPanic proves GET /panic panics with ErrPanic, for the server to catch.
func TestPanic(t *testing.T) {
	defer func() {
		v := recover()
		if err, ok := v.(error); !ok || !errors.Is(err, ErrPanic) {
			t.Errorf("ServeHTTP(GET /panic) panicked with %v, want %v", v, ErrPanic)
		}
	}()
	serve(t, httptest.NewRequest("GET", "/panic", nil))
	t.Errorf("ServeHTTP(GET /panic) returned, want a panic")
}

// TestPIDReal proves the default lookup reports this process.
func TestPIDReal(t *testing.T) {
	rec := serve(t, httptest.NewRequest("GET", "/pid", nil))
	if want := strconv.Itoa(os.Getpid()) + "\n"; rec.Body.String() != want {
		t.Errorf("ServeHTTP(GET /pid) = %q, want %q", rec.Body.String(), want)
	}
}
