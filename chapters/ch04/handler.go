package ch04

import (
	"net/http"
	"runtime/debug"
)

// Pre-built header values of the 500 reply, shared by every response: the
// map holds these slices, never modified.
var (
	textPlain = []string{"text/plain; charset=utf-8"}
	noSniff   = []string{"nosniff"}
)

// internalErrorBody is what a client gets for a handler's panic: the
// status, and nothing from the panic itself, which may hold secrets.
const internalErrorBody = "Internal Server Error\n"

// Serve runs h for r, answering through w, and recovers a panic in h so
// that one failing handler costs one response, never the process.
//
// When h panics, the panic is logged once through w.Logf with its value
// and stack (except http.ErrAbortHandler, the value a handler panics with
// to abort quietly), and then:
//
//   - if no byte of the final response reached the connection's writer
//     yet, the response is replaced by 500 Internal Server Error, sent with
//     "Connection: close" when Finish runs, and Serve reports true;
//   - otherwise, or for http.ErrAbortHandler, or after a hijack, the
//     response is abandoned where it stands and Serve reports false: the
//     connection must be closed without another byte, so the client sees a
//     truncated message (a chunked body without its last chunk, a body
//     shorter than its Content-Length) instead of a complete wrong one.
//
// Call w.Finish after Serve in both cases; MustClose then reports true.
func Serve(h http.Handler, w *Response, r *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = w.recoverPanic(v)
		}
	}()
	h.ServeHTTP(w, r)
	return true
}

// recoverPanic handles a handler's panic with value v (see Serve).
func (w *Response) recoverPanic(v any) bool {
	if v != http.ErrAbortHandler {
		w.logf("ch04: panic serving %s %s %s for %s: %v\n%s",
			w.req.Method, w.req.RequestURI, w.req.Proto, w.req.RemoteAddr, v, debug.Stack())
	}
	w.closeAfter = true
	if w.hijacked || w.finished {
		return false
	}
	if v == http.ErrAbortHandler || w.committed {
		w.cut = true
		return false
	}
	// Nothing went out but, perhaps, 1xx interim responses: forget what the
	// handler set and wrote, and answer 500 instead.
	w.wroteHeader, w.status = false, 0
	w.declared, w.written = -1, 0
	w.hasDate, w.hasType, w.trailerDecl, w.trailerKey = false, false, nil, false
	w.buf = w.buf[:0]
	h := w.Header()
	clear(h)
	h["Content-Type"] = textPlain
	h["X-Content-Type-Options"] = noSniff
	w.writeHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(internalErrorBody)) // a failed write is kept for Finish
	return true
}

// CloseAfter marks the connection to be closed after this response. If
// the head has not been written yet, it says "Connection: close" (RFC 9112
// section 9.6); MustClose reports true from now on.
//
// A keep-alive loop decides some reasons to close only once the handler
// has returned, when the head is usually still in the Response's buffer:
// the handler left more of the request body unread than the loop is
// willing to discard, or keep-alives were turned off while it ran. Saying
// so in the head spares the client a request sent on a connection about
// to close.
func (w *Response) CloseAfter() { w.closeAfter = true }

// HandlerFor returns the handler a server runs for r, as chapter 4's
// Server chooses it: h, or http.DefaultServeMux when h is nil, except for
// "OPTIONS *", a question about the server as a whole (RFC 9110 section
// 9.3.7) that no path can route, answered with an empty 200.
func HandlerFor(h http.Handler, r *http.Request) http.Handler {
	if r.RequestURI == "*" && r.Method == http.MethodOptions {
		return optionsHandler{}
	}
	if h == nil {
		return http.DefaultServeMux
	}
	return h
}
