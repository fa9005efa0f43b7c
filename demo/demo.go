package demo

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ErrPanic is the value GET /panic panics with, so a server's recover can
// recognise the demo's deliberate panic with errors.Is.
var ErrPanic = errors.New("demo: GET /panic panicked on purpose")

// Pre-built header values. Assigning one of these slices straight into the
// header map costs no allocation, where Header.Set would build a new
// []string and canonicalise the key on every request. They are shared by
// every response, so nothing may modify them in place; an Add after ours
// appends to a full slice (cap 1) and so copies it first.
var (
	textPlain       = []string{"text/plain; charset=utf-8"}
	applicationJSON = []string{"application/json"}
	allowGetHead    = []string{"GET, HEAD"}
	allowPost       = []string{"POST"}
	zeroLength      = []string{"0"}
)

// helloBody is the body of GET /, built once: the Write below hands net/http
// the same bytes on every request.
var (
	helloBody   = []byte("Hello, World!")
	helloLength = []string{strconv.Itoa(len(helloBody))}
)

// New returns the demo app's handler. It holds no state, so one handler may
// serve any number of servers and goroutines at once.
func New() http.Handler { return handler{} }

// handler routes with a switch on the path rather than an http.ServeMux:
// GET / is the benchmark route, and a string switch reaches it without the
// mux's pattern matching (BenchmarkHelloServeMux measures the difference).
type handler struct{}

func (handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		serveHello(w, r)
	case "/echo":
		serveEcho(w, r)
	case "/upload":
		serveUpload(w, r)
	case "/stream":
		serveStream(w, r)
	case "/sleep":
		serveSleep(w, r)
	case "/pid":
		servePID(w, r)
	case "/panic":
		servePanic(w, r)
	default:
		if code, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
			serveStatus(w, r, code)
			return
		}
		writeText(w, http.StatusNotFound, "404 page not found\n")
	}
}

// serveHello answers GET / with "Hello, World!". It touches the header map
// directly with canonical keys and pre-built values: no allocation of its
// own, whatever the server's ResponseWriter costs.
func serveHello(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	h := w.Header()
	h["Content-Type"] = textPlain
	h["Content-Length"] = helloLength
	w.Write(helloBody)
}

// allowGet reports whether r's method is GET or HEAD. When it is not, it
// has already answered 405 with the Allow header RFC 9110 section 15.5.6
// requires.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header()["Allow"] = allowGetHead
	writeText(w, http.StatusMethodNotAllowed, "405 method not allowed\n")
	return false
}

// servePanic panics on purpose: the route exists to show that a server
// survives a handler that panics.
func servePanic(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	panic(ErrPanic)
}

// writeText answers code with a short text/plain body and its exact length,
// so even a server without chunked encoding can frame it.
func writeText(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(code)
	// A failed write means the client is gone; the server sees that too.
	_, _ = io.WriteString(w, body)
}

// requestBody returns r.Body, or an empty body when a server (or a test)
// left it nil: net/http promises a non-nil Body to handlers, but a server
// under construction may not keep that promise yet.
func requestBody(r *http.Request) io.ReadCloser {
	if r.Body == nil {
		return http.NoBody
	}
	return r.Body
}

// writeBodyError answers a request whose body could not be read: 413 when a
// limit set with http.MaxBytesReader stopped it, 400 for anything else
// (broken chunked framing, a reset connection, a server's own limit).
func writeBodyError(w http.ResponseWriter, err error) {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		writeText(w, http.StatusRequestEntityTooLarge, "413 request body too large\n")
		return
	}
	writeText(w, http.StatusBadRequest, "400 bad request: cannot read body\n")
}
