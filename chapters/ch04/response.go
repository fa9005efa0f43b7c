package ch04

import (
	"bufio"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch03"
)

// Response is the http.ResponseWriter of one request. It writes to a
// bufio.Writer that belongs to the connection and never flushes it on its
// own, except for Flush, 1xx responses and Hijack: a connection loop can
// batch several responses into one write (chapter 5's pipelining does).
//
// The head is written once, at the latest possible moment: when the body
// outgrows ResponseBufferSize, when the handler flushes, or when Finish
// ends the response. Until then nothing has reached the connection, which
// is what lets Serve still answer 500 for a handler that panics after
// WriteHeader. The header fields are copied when the status is set
// (WriteHeader, or the first Write), so later changes to the map are not
// sent, as in net/http; only trailers are read at the end.
//
// A Response is used by one handler goroutine, and not after the handler
// returns: like net/http's, and because a Conn reuses the header map and
// buffers for its next response.
type Response struct {
	// Logf receives the response's complaints: a superfluous WriteHeader,
	// a header field dropped as invalid, a write on a hijacked connection,
	// and (from Serve) a handler's panic with its stack. If nil, nothing
	// is logged.
	Logf ch01.Logf

	req     *http.Request
	reqBody *body // nil when the request has no content
	bw      *bufio.Writer
	conn    *Conn          // nil for NewResponse: no Hijack, no deadlines
	rc      RequestContext // nil for NewResponse

	header http.Header
	keys   []string // scratch: the header's names, sorted
	block  []byte   // the header fields, rendered when the status was set
	buf    []byte   // body bytes held back until the head is written

	status      int // the final status; 0 until set
	wroteHeader bool
	committed   bool // the head is in bw
	framing     ch03.Framing
	hasDate     bool  // the handler set Date: no generated one
	hasType     bool  // the handler set Content-Type, possibly to nothing: no sniffing
	trailerKey  bool  // a key with http.TrailerPrefix was set before WriteHeader
	declared    int64 // the handler's Content-Length, or -1
	written     int64 // body bytes the handler wrote (HEAD's included)
	// writeDeadlineAt is the handler's write deadline, in Unix
	// nanoseconds; 0 for none.
	writeDeadlineAt int64
	trailerDecl     []string // the Trailer field's values: declared trailer names
	cw              ch03.ChunkedWriter

	// interimMu orders an interim response that the connection loop
	// writes from the goroutine reading the body (see WriteInterim) with
	// the final response, which may be written by another goroutine of
	// the handler's at the same time.
	interimMu  sync.Mutex
	finalBegun bool // under interimMu: the final status is set, or the connection hijacked
	sent100    bool // under interimMu: a 100 Continue went out

	// The flags, side by side: Go packs neighbouring bools into one word.
	keepAlive     bool // the connection loop wants to keep the connection
	isHead        bool
	http10        bool  // the client speaks HTTP/1.0: no chunked coding, no 1xx
	writeDeadline bool  // the handler set a write deadline: writeDeadlineAt
	ctxDone       bool  // EndContext ran
	closeAfter    bool  // the connection must close after this response
	cut           bool  // the response was abandoned half-written
	hijacked      bool  // the handler took the connection
	finished      bool  // Finish ran: the handler has returned
	fullDuplex    bool  // EnableFullDuplex was called
	complained    bool  // a superfluous WriteHeader was logged
	err           error // the first write error: the connection is broken
}

// NewResponse returns the ResponseWriter for r, writing to bw. keepAlive
// says whether the connection loop means to keep the connection open
// after this response; if not, the head says "Connection: close" (RFC
// 9112 section 9.6). Chapter 4's loop always passes false.
//
// A Response from NewResponse has no connection behind it: Hijack,
// SetReadDeadline and SetWriteDeadline fail with http.ErrNotSupported.
// Servers use Conn.NewRequest, which also pairs the response with the
// request's context and reuses buffers.
func NewResponse(r *http.Request, bw *bufio.Writer, keepAlive bool) *Response {
	w := new(Response)
	w.init(r, bw, keepAlive)
	return w
}

func (w *Response) init(r *http.Request, bw *bufio.Writer, keepAlive bool) {
	w.req, w.bw, w.keepAlive = r, bw, keepAlive
	w.isHead = r.Method == http.MethodHead
	w.http10 = !r.ProtoAtLeast(1, 1)
	w.declared = -1
	if b, ok := r.Body.(*body); ok {
		w.reqBody = b
	}
}

// Header returns the header map the handler fills before WriteHeader.
// Content-Length, if set, is the exact body length the handler promises;
// Transfer-Encoding is ignored (the Response frames the body itself);
// "Connection: close" closes the connection after the response; a
// Content-Type key, even with no value, turns off sniffing. Names set
// after WriteHeader are sent only if they are trailers: declared in a
// Trailer field before WriteHeader, or prefixed with http.TrailerPrefix.
func (w *Response) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

// WriteHeader sets the response's status code. The first call wins: a
// later one is ignored, and logged once per response, with the caller
// that made it. An informational status (1xx other than 101, such as 103
// Early Hints) is not final: it is written and flushed at once with the
// current header fields, and the handler goes on to send the final
// response (RFC 9110 section 15.2); an HTTP/1.0 client gets none, as it
// would not understand them. A code outside 100 to 999 panics, as in
// net/http (Serve turns that into a 500).
func (w *Response) WriteHeader(code int) {
	switch {
	case w.hijacked:
		w.logf("ch04: WriteHeader(%d) on a hijacked connection, from %s", code, relevantCaller())
		return
	case w.finished:
		return
	case w.wroteHeader:
		if !w.complained {
			w.complained = true
			w.logf("ch04: superfluous WriteHeader(%d) call from %s: status %d already set", code, relevantCaller(), w.status)
		}
		return
	}
	if code < 100 || code > 999 {
		panic("ch04: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.writeInformational(code)
		return
	}
	w.writeHeader(code)
}

// writeHeader sets the final status and renders the header fields.
func (w *Response) writeHeader(code int) {
	w.beginFinal()
	w.wroteHeader = true
	w.status = code
	w.block = w.renderHeader(w.block[:0], true)
}

// Write writes body bytes, sending the status first if WriteHeader was
// not called (an implicit 200). The first ResponseBufferSize bytes are
// held back so that a short body gets a Content-Length; the Content-Type,
// unless the handler set one, is sniffed from them with
// http.DetectContentType.
//
// Write fails with http.ErrBodyNotAllowed for a status that has no body
// (1xx, 204, 304: RFC 9112 section 6.3), with http.ErrContentLength when
// the bytes go past the handler's own Content-Length, with
// http.ErrHijacked after Hijack, and with the connection's error once a
// write to it failed. In reply to HEAD the bytes are counted and dropped.
func (w *Response) Write(p []byte) (int, error) {
	switch {
	case w.hijacked:
		if len(p) > 0 {
			w.logf("ch04: Write on a hijacked connection, from %s", relevantCaller())
		}
		return 0, http.ErrHijacked
	case w.finished:
		return 0, ErrFinished
	}
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !ch03.StatusAllowsBody(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.committed {
		if len(w.buf)+len(p) <= ResponseBufferSize {
			if w.buf == nil {
				w.buf = make([]byte, 0, ResponseBufferSize)
			}
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		if err := w.commitStreaming(p); err != nil {
			return 0, err
		}
	}
	return w.writeBody(p)
}

// Flush sends the head, if not yet sent, and every body byte written so
// far to the client. After it, the length cannot be known any more: the
// body is chunked, or close-delimited for an HTTP/1.0 client, unless the
// handler set Content-Length. It implements http.Flusher.
func (w *Response) Flush() { _ = w.FlushError() } // http.Flusher has no error: Finish reports it

// FlushError is Flush returning the write error, if any. It is the method
// http.ResponseController.Flush looks for first.
func (w *Response) FlushError() error {
	switch {
	case w.hijacked:
		return http.ErrHijacked
	case w.finished:
		return ErrFinished
	}
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	if !w.committed {
		if err := w.commitStreaming(nil); err != nil {
			return err
		}
	}
	if w.err != nil {
		return w.err
	}
	return w.fail(w.bw.Flush())
}

// Finish ends the response once the handler has returned: it cancels the
// request's context (stopping any watch on the client), closes the request
// body, sends the status if the handler never did (200), and writes what
// is left: the head with the Content-Length of a body that fit the buffer,
// or the last chunk and the trailers of a chunked one. It leaves the
// connection open and bw unflushed; the connection loop decides, from
// MustClose, whether to read another request.
//
// After a hijack, or when Serve cut the response, Finish writes nothing.
// It returns the first error writing to the connection, and does nothing
// more when called again.
func (w *Response) Finish() error {
	if w.finished {
		return w.err
	}
	w.finished = true
	w.EndContext()
	w.CloseBody()
	switch {
	case w.hijacked:
	case w.cut:
		w.closeAfter = true
	default:
		w.finishBody()
	}
	w.release()
	return w.err
}

// finishBody writes the rest of a response whose handler returned.
func (w *Response) finishBody() {
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	if !w.committed {
		length := w.declared
		trailers := len(w.trailerDecl) > 0 || w.trailerKey
		if length < 0 && ch03.StatusAllowsBody(w.status) && !trailers && (!w.isHead || len(w.buf) > 0) {
			// The handler is done: everything it wrote is in buf, so the
			// length is known after all. (A HEAD handler that wrote
			// nothing may not have written what GET would: say nothing.
			// Trailers need the chunked coding: no length either.)
			length = int64(len(w.buf))
		}
		if w.commit(length, w.buf) != nil {
			return
		}
		if _, err := w.writeBody(w.buf); err != nil {
			return
		}
	}
	if w.framing == ch03.Chunked {
		w.cw.Trailer = w.trailers()
		_ = w.fail(w.cw.Close()) // kept for Finish to report
	}
	if w.declared >= 0 && ch03.StatusAllowsBody(w.status) && !w.isHead && w.written != w.declared {
		// The head promised more bytes than the handler wrote: the client
		// would wait for them, or take the next response for them.
		w.closeAfter = true
	}
}

// EndContext stops the watch on the client and cancels the request's
// context, as Finish does first: the handler has returned, and goroutines
// it left waiting on r.Context() must learn it now (net/http cancels it
// as soon as ServeHTTP returns), not after the connection loop has read
// what is left of the body. Later calls do nothing.
func (w *Response) EndContext() {
	if w.ctxDone {
		return
	}
	w.ctxDone = true
	if w.rc != nil {
		w.rc.Finish()
	}
}

// CloseBody closes the request body, as Finish does: every later Read
// fails with http.ErrBodyReadAfterClose. The handler has returned, but a
// goroutine it left behind may still be in a Read (http.TimeoutHandler's
// inner handler can be): CloseBody wakes it with a deadline in the past,
// waits for it, and clears the deadlines. (A handler's own Close waits
// for such a Read too, as net/http's does.) A connection loop that
// reads the rest of the body itself, to reach the next request, calls it
// first: it must be the body's only reader.
func (w *Response) CloseBody() {
	b := w.reqBody
	if b == nil {
		return
	}
	if !b.mu.TryLock() {
		switch {
		case w.hijacked:
			// The connection is the handler's now, deadlines and all: close
			// the body once that Read returns, and wait for nothing.
			go func() {
				b.mu.Lock()
				defer b.mu.Unlock()
				b.closeLocked()
			}()
			return
		case w.conn == nil:
			b.mu.Lock() // no connection to wake: the Read ends when its reader does
		default:
			// A Read is in progress: a blocked one would hold the lock
			// until the client sends more, or, writing a 100 Continue,
			// until the client reads. (The past deadline fails that Read,
			// and chapter 2's reader keeps the error: what is left of the
			// body cannot be read to reach a next request, and the
			// connection will close.) Then the read deadline goes, and
			// the write deadline is the handler's again, for the flush of
			// its response.
			rwc := w.conn.rwc
			rwc.SetDeadline(aLongTimeAgo)
			b.mu.Lock()
			rwc.SetReadDeadline(time.Time{})
			var handlers time.Time
			if w.writeDeadlineAt != 0 {
				handlers = time.Unix(0, w.writeDeadlineAt)
			}
			rwc.SetWriteDeadline(handlers)
		}
	}
	b.closeLocked()
	b.mu.Unlock()
}

// WriteInterim writes an interim response the connection loop composed,
// such as chapter 5's "HTTP/1.1 100 Continue\r\n\r\n", and flushes it,
// unless the final response has begun: its status is set, or the
// connection hijacked. It reports whether it wrote. It may be called from
// any goroutine: a handler in full duplex reads the body (which sends the
// 100) in one goroutine while it writes the response in another, and the
// interim response must go out whole, before the final one.
func (w *Response) WriteInterim(resp string) (bool, error) {
	w.interimMu.Lock()
	defer w.interimMu.Unlock()
	switch {
	case w.finalBegun:
		return false, nil
	case w.sent100:
		return true, nil // the handler sent its own 100 Continue (WriteHeader(100))
	}
	_, _ = w.bw.WriteString(resp) // Flush reports the same error
	return true, w.bw.Flush()
}

// beginFinal marks the start of the final response, once an interim one
// being written has gone out (see WriteInterim).
func (w *Response) beginFinal() {
	w.interimMu.Lock()
	w.finalBegun = true
	w.interimMu.Unlock()
}

// Status returns the final status code: 0 until WriteHeader or Write set
// it; after Finish, the status sent (200 if the handler set none).
func (w *Response) Status() int { return w.status }

// Written returns how many body bytes the handler wrote, which is what an
// access log reports (chapter 8). In reply to HEAD they were dropped.
func (w *Response) Written() int64 { return w.written }

// HeadWritten reports whether the final response's head has been written
// to the connection's writer. Until then a panic still gets a 500, and a
// connection loop may still send an interim response. (Chapter 5 sends its
// "100 Continue" only while Status is 0, before a final status is even
// chosen: a stricter test.)
func (w *Response) HeadWritten() bool { return w.committed }

// Hijacked reports whether the handler took over the connection with
// Hijack. The connection is then the handler's: the server must neither
// write to it nor close it.
func (w *Response) Hijacked() bool { return w.hijacked }

// MustClose reports whether the connection must be closed after this
// response rather than read for another request: the connection loop asked
// for it (keepAlive false), the handler set "Connection: close", the body
// was close-delimited (HTTP/1.0 with no length), the handler wrote less
// than its Content-Length, the response was cut by a panic, or a write
// failed. It is final once Finish has returned.
func (w *Response) MustClose() bool {
	return !w.keepAlive || w.closeAfter || w.cut || w.err != nil
}

// FullDuplex reports whether the handler called EnableFullDuplex: it means
// to keep reading the request body while it writes the response.
func (w *Response) FullDuplex() bool { return w.fullDuplex }

// logf logs through Logf, if set.
func (w *Response) logf(format string, args ...any) {
	if w.Logf != nil {
		w.Logf(format, args...)
	}
}

// fail records the first write error: after it the connection is broken,
// every later write returns it, and the connection must close.
func (w *Response) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// release hands the buffers back to the Conn for its next response, and
// lets go of everything that is the connection's: a handler may keep its
// request (and what shares memory with it) long after the response, and
// it must not keep the connection's buffers, parser and header map alive
// with it. Nothing needs them once the handler has returned.
func (w *Response) release() {
	if w.conn != nil {
		w.conn.keys = w.keys[:0]
		if cap(w.block) <= maxKeptHeadBuffer {
			w.conn.head = w.block[:0]
		}
	}
	w.keys, w.block, w.buf = nil, nil, nil
	w.conn, w.bw, w.header, w.cw = nil, nil, nil, ch03.ChunkedWriter{}
}
