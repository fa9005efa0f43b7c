package ch04

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it makes a blocked Read
// return at once, which is how a background read is called off.
var aLongTimeAgo = time.Unix(1, 0)

// RequestContext is the context of a request served on a Conn, and the
// watch that cancels it, with ErrClientGone as the cause, when the client
// goes away while the handler runs. The Response tells it what happens:
type RequestContext interface {
	context.Context
	// BodyDone says the request body has been read to its end, or that
	// there is none: from now on, reading the connection is the watch's
	// business, not the handler's.
	BodyDone()
	// Stop ends the watch for good (the handler hijacked the connection)
	// and returns once nothing of the watch reads the connection.
	Stop()
	// Finish is Stop, then cancels the context: the handler returned.
	Finish()
}

// WatchClient is the RequestContext NewConn gives every request (through
// WatchedExchange), the way
// net/http does it: a context.WithCancelCause child of parent that answers
// http.LocalAddrContextKey, and, from BodyDone on, a goroutine that reads
// the connection and cancels the context with ErrClientGone when the
// read fails: EOF or a reset, the client is gone.
func WatchClient(parent context.Context, conn net.Conn, br *bufio.Reader) RequestContext {
	ctx := context.WithValue(parent, http.LocalAddrContextKey, conn.LocalAddr())
	ctx, cancel := context.WithCancelCause(ctx)
	return &clientWatch{Context: ctx, cancel: cancel, conn: conn, br: br}
}

// clientWatch is WatchClient's RequestContext.
type clientWatch struct {
	context.Context
	cancel context.CancelCauseFunc
	conn   net.Conn      // the connection to watch
	br     *bufio.Reader // its reader: a byte that arrives stays buffered

	mu       sync.Mutex
	stopped  bool          // no read may start any more
	aborting bool          // Stop is calling the read off
	readDone chan struct{} // closed when the read returns; nil until one starts
}

// BodyDone starts the watch, unless it was stopped. It clears the read
// deadline first, as net/http does when its background read starts: one
// set to bound the body (a whole-request ReadTimeout) has nothing left to
// bound, and would end the watch when it passed.
func (w *clientWatch) BodyDone() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.readDone != nil {
		return
	}
	w.conn.SetReadDeadline(time.Time{})
	w.readDone = make(chan struct{})
	go w.read(w.readDone)
}

// read waits for the connection to say something. Peek, not Read: a byte
// that arrives (the start of a pipelined request, in chapter 5) stays in
// the reader for the connection loop. Only a failed read means the client
// is gone; a read that Stop called off, with its deadline in the past,
// means nothing.
func (w *clientWatch) read(done chan struct{}) {
	defer close(done)
	_, err := w.br.Peek(1)
	if err == nil {
		return
	}
	w.mu.Lock()
	aborted := w.aborting
	w.mu.Unlock()
	if aborted || errors.Is(err, os.ErrDeadlineExceeded) {
		return
	}
	w.cancel(ErrClientGone)
}

// Stop calls a running read off: a read deadline in the past wakes the
// blocked Peek at once. It waits for the goroutine before anyone touches
// the reader again, and clears the deadline.
func (w *clientWatch) Stop() {
	w.mu.Lock()
	w.stopped = true
	done := w.readDone
	if done != nil {
		w.aborting = true
	}
	w.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done: // it already returned: the client sent a byte, or left
	default:
		w.conn.SetReadDeadline(aLongTimeAgo)
		<-done
		w.conn.SetReadDeadline(time.Time{})
	}
}

// Finish stops the watch and cancels the context.
func (w *clientWatch) Finish() {
	w.Stop()
	// Nothing reads the connection any more, and nothing will: let go of
	// it, so that a context a handler keeps does not keep the
	// connection's reader.
	w.mu.Lock()
	w.conn, w.br = nil, nil
	w.mu.Unlock()
	w.cancel(nil)
}
