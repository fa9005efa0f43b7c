package ch04

// This file holds the parts of the http.ResponseWriter contract that most
// handlers never use, and net/http's handlers expect all the same:
// taking the connection over (Hijack), deadlines and full duplex
// (http.ResponseController), 1xx interim responses, and trailers. The
// bridge's core, a request in and a framed response out, is in
// request.go, response.go and head.go.

import (
	"bufio"
	"errors"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
)

// Hijack hands the connection over to the handler, which then owns it:
// WebSocket libraries and CONNECT proxies do this to speak something else
// than HTTP/1.1 on it. It implements http.Hijacker.
//
// Before handing over, Hijack stops watching for the client going away
// (the handler may read from the connection now), writes the head if the
// handler already set the status, and flushes what the connection's
// writer holds, so the handler's own bytes come after it. The
// bufio.ReadWriter it returns is the connection's: its reader may hold
// bytes the client sent beyond the request head. The request's context is
// still cancelled when the handler returns, as net/http does.
//
// It fails with http.ErrNotSupported for a Response from NewResponse,
// http.ErrHijacked the second time, and ErrFinished after the handler
// returned.
func (w *Response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch {
	case w.hijacked:
		return nil, nil, http.ErrHijacked
	case w.finished:
		return nil, nil, ErrFinished
	case w.conn == nil:
		return nil, nil, http.ErrNotSupported
	}
	w.beginFinal()
	if w.wroteHeader && !w.committed {
		if err := w.commitStreaming(nil); err != nil {
			return nil, nil, err
		}
	}
	if err := w.fail(w.bw.Flush()); err != nil {
		return nil, nil, err
	}
	if w.rc != nil {
		w.rc.Stop()
	}
	w.hijacked = true
	w.conn.hijacked = true
	rwc := w.conn.rwc
	rwc.SetDeadline(time.Time{}) // whatever the server set is not the new owner's
	return rwc, bufio.NewReadWriter(w.conn.br, w.bw), nil
}

// SetReadDeadline sets the deadline for reading the request body, the
// method http.ResponseController.SetReadDeadline looks for. A zero time
// means no deadline. A Response from NewResponse has no connection and
// returns http.ErrNotSupported; after the handler returned, the
// connection is the next request's, and it returns ErrFinished.
func (w *Response) SetReadDeadline(t time.Time) error {
	return w.setDeadline(t, net.Conn.SetReadDeadline)
}

// SetWriteDeadline sets the deadline for writing the response, the method
// http.ResponseController.SetWriteDeadline looks for: a handler streaming
// a long response extends it as it goes. A zero time means no deadline.
// A Response from NewResponse returns http.ErrNotSupported, and one whose
// handler returned ErrFinished.
//
// Earlier responses that a connection loop held back for a pipelined
// batch go out first, under the new deadline: the deadline is this
// response's, and must not make them wait for it, or fail with it.
//
// The connection loop clears the deadline once the response is out
// (WriteDeadlineSet), as net/http does: it must not cut the next one.
func (w *Response) SetWriteDeadline(t time.Time) error {
	if err := w.setDeadline(t, net.Conn.SetWriteDeadline); err != nil {
		return err
	}
	w.writeDeadline, w.writeDeadlineAt = true, 0
	if !t.IsZero() {
		w.writeDeadlineAt = t.UnixNano()
	}
	// Under the interim lock: the goroutine reading the body may be
	// writing a 100 Continue to the same writer.
	w.interimMu.Lock()
	defer w.interimMu.Unlock()
	if !w.committed && !w.hijacked && w.bw.Buffered() > 0 {
		return w.fail(w.bw.Flush())
	}
	return nil
}

// WriteDeadlineSet reports whether the handler set a write deadline
// (SetWriteDeadline), which the connection loop must clear once the
// response is out.
func (w *Response) WriteDeadlineSet() bool { return w.writeDeadline }

// setDeadline sets one of the connection's deadlines with set.
func (w *Response) setDeadline(t time.Time, set func(net.Conn, time.Time) error) error {
	switch {
	case w.finished:
		return ErrFinished
	case w.conn == nil:
		return http.ErrNotSupported
	}
	return set(w.conn.rwc, t)
}

// EnableFullDuplex lets the handler read the request body while it writes
// the response, the method http.ResponseController.EnableFullDuplex looks
// for. net/http's HTTP/1 server otherwise stops the body once the response
// starts, to avoid a deadlock with clients that send their whole request
// before they read anything. Chapter 4 never stops the body (it closes the
// connection after every response anyway), so this only records the wish;
// FullDuplex reports it, for a connection loop that keeps connections.
func (w *Response) EnableFullDuplex() error {
	w.fullDuplex = true
	return nil
}

// writeInformational writes a 1xx interim response at once: status line,
// the header fields set so far, empty line, flushed (RFC 9110 section
// 15.2). 103 Early Hints uses it to send Link fields while the handler is
// still working on the final response.
func (w *Response) writeInformational(code int) {
	if w.http10 {
		// RFC 9110 section 15.2: a server MUST NOT send a 1xx response to
		// an HTTP/1.0 client.
		return
	}
	w.interimMu.Lock() // a 100 Continue from the body's reader goes out whole, before or after
	defer w.interimMu.Unlock()
	if code == http.StatusContinue {
		w.sent100 = true // the handler said it itself: the reader of the body will not again
	}
	buf := ch03.AppendStatusLine(w.bw.AvailableBuffer(), code)
	buf = w.renderHeader(buf, false)
	buf = append(buf, "\r\n"...)
	if _, err := w.bw.Write(buf); w.fail(err) != nil {
		return
	}
	_ = w.fail(w.bw.Flush()) // kept for Finish to report
}

// trailers collects the trailer fields to send after the last chunk (RFC
// 9110 section 6.5): the values, set by now, of the names declared in the
// Trailer field, and of every key prefixed with http.TrailerPrefix. A
// field that would not be a valid field line is dropped or cleaned up as
// header fields are; a framing field is never a trailer.
func (w *Response) trailers() []ch02.Field {
	var fields []ch02.Field
	add := func(name string, vs []string) {
		if fieldKindOf(name) != fieldOther {
			return
		}
		for _, v := range vs {
			v = strings.Trim(v, ows)
			if _, err := ch03.AppendHeader(w.block[:0], name, v); errors.Is(err, ch03.ErrInvalidHeaderValue) {
				v = sanitizeValue(v)
			} else if err != nil {
				w.logf("ch04: dropping trailer field: %v", err)
				return
			}
			fields = append(fields, ch02.Field{Name: name, Value: v})
		}
	}
	for _, list := range w.trailerDecl {
		for name := range ch02.ListElements(list) {
			name = http.CanonicalHeaderKey(name)
			add(name, w.header[name])
		}
	}
	// Undeclared trailers in sorted order, like the head: the same
	// response gives the same bytes every time.
	for _, k := range slices.Sorted(maps.Keys(w.header)) {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			add(name, w.header[k])
		}
	}
	return fields
}
