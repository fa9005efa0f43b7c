package ch04

import (
	"bufio"
	"net"
	"net/http"
	"time"
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
	case w.conn == nil:
		return nil, nil, http.ErrNotSupported
	case w.hijacked:
		return nil, nil, http.ErrHijacked
	case w.finished:
		return nil, nil, ErrFinished
	}
	if w.wroteHeader && !w.committed {
		if err := w.commitStreaming(nil); err != nil {
			return nil, nil, err
		}
	}
	if err := w.fail(w.bw.Flush()); err != nil {
		return nil, nil, err
	}
	if w.rc != nil {
		w.rc.stop()
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
// returns http.ErrNotSupported.
func (w *Response) SetReadDeadline(t time.Time) error {
	if w.conn == nil {
		return http.ErrNotSupported
	}
	return w.conn.rwc.SetReadDeadline(t)
}

// SetWriteDeadline sets the deadline for writing the response, the method
// http.ResponseController.SetWriteDeadline looks for: a handler streaming
// a long response extends it as it goes. A zero time means no deadline.
// A Response from NewResponse returns http.ErrNotSupported.
func (w *Response) SetWriteDeadline(t time.Time) error {
	if w.conn == nil {
		return http.ErrNotSupported
	}
	return w.conn.rwc.SetWriteDeadline(t)
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
