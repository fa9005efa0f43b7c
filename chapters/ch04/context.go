package ch04

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it makes a blocked Read
// return at once, which is how a background read is called off.
var aLongTimeAgo = time.Unix(1, 0)

// requestContext is the context of a request served on a Conn. It is
// cancelled when the handler returns (Response.Finish) and when the client
// goes away while the handler runs, with ErrClientGone as the cause.
//
// Knowing that the client went away needs a read on the connection while
// the handler runs: a read that returns EOF or a reset. net/http starts a
// goroutine for that read for every request. Here it is started lazily:
// only when someone asks for Done or Err (a handler that never looks at
// its context costs no goroutine and no cancelCtx), and only once the
// request body has been read to its end (before that, the handler's own
// body reads are the only ones allowed on the connection).
//
// The cancellable context is a real context.WithCancelCause child of the
// parent, created on first use. Value forwards to it, so the context
// package finds it (through its private cancelCtxKey) and attaches
// children such as context.WithTimeout(r.Context(), d) to it directly,
// with no goroutine of their own.
type requestContext struct {
	parent context.Context
	conn   net.Conn      // the connection to watch
	br     *bufio.Reader // its reader: a byte that arrives stays buffered

	// ready is set, under mu, once inner and cancel are; after that they
	// never change and are read without the lock.
	ready  atomic.Bool
	inner  context.Context
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	bodyDone bool          // the request body has been read to its end, or there is none
	stopped  bool          // no watch may start any more: the handler finished or hijacked
	finished bool          // the handler returned: the context is cancelled
	aborting bool          // stop is calling off the background read
	readDone chan struct{} // closed when the background read returns; nil until one starts
}

// Deadline returns the parent's deadline: the request adds none.
func (c *requestContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done returns a channel closed when the request is cancelled. The first
// call (of Done or Err) starts watching the client.
func (c *requestContext) Done() <-chan struct{} { return c.get().Done() }

// Err returns nil until the request is cancelled, then context.Canceled
// (or the parent's error). Like Done, it starts watching the client.
func (c *requestContext) Err() error { return c.get().Err() }

// Value answers http.LocalAddrContextKey with the connection's local
// address, as net/http's server does, and forwards every other key.
func (c *requestContext) Value(key any) any {
	if key == http.LocalAddrContextKey && c.conn != nil {
		return c.conn.LocalAddr()
	}
	if c.ready.Load() {
		return c.inner.Value(key)
	}
	return c.parent.Value(key)
}

// String names the context in fmt output, as the context package's own
// types do.
func (c *requestContext) String() string { return "ch04.requestContext" }

// get returns the cancellable context, creating it on first use.
func (c *requestContext) get() context.Context {
	if c.ready.Load() {
		return c.inner
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ready.Load() {
		c.inner, c.cancel = context.WithCancelCause(c.parent)
		c.ready.Store(true)
		switch {
		case c.finished:
			// Asked after the handler returned (by a goroutine it left
			// behind): the request is over.
			c.cancel(nil)
		case c.bodyDone:
			c.startLocked()
		}
	}
	return c.inner
}

// bodyEOF records that the request body has been read to its end, and
// starts watching the client if the context is already in use.
func (c *requestContext) bodyEOF() {
	c.mu.Lock()
	c.bodyDone = true
	if c.ready.Load() {
		c.startLocked()
	}
	c.mu.Unlock()
}

// startLocked starts the background read, once, unless watching has
// stopped.
func (c *requestContext) startLocked() {
	if c.conn == nil || c.stopped || c.readDone != nil {
		return
	}
	done := make(chan struct{})
	c.readDone = done
	go c.backgroundRead(done)
}

// backgroundRead waits for one byte or an error on the connection.
// Peek keeps a byte that arrives in the bufio.Reader, where the
// connection loop finds it as the start of the next request (a pipelining
// client). EOF or a reset means the client is gone. A timeout is either
// stop calling the read off, or a read deadline the handler set through
// http.ResponseController: neither means the client left.
func (c *requestContext) backgroundRead(done chan struct{}) {
	defer close(done)
	_, err := c.br.Peek(1)
	if err == nil {
		return
	}
	c.mu.Lock()
	aborted := c.aborting
	c.mu.Unlock()
	if aborted || errors.Is(err, os.ErrDeadlineExceeded) {
		return
	}
	c.cancel(ErrClientGone)
}

// stop ends watching: it calls off a background read in progress (a read
// deadline in the past wakes it) and waits for it, so the connection's
// reader is the caller's again. Hijack calls it before handing the
// connection over; finish calls it when the handler has returned.
func (c *requestContext) stop() {
	c.mu.Lock()
	c.stopped = true
	done := c.readDone
	if done != nil {
		c.aborting = true
	}
	c.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done: // it already returned: the client sent a byte, or left
	default:
		c.conn.SetReadDeadline(aLongTimeAgo)
		<-done
		c.conn.SetReadDeadline(time.Time{})
	}
}

// finish stops watching and cancels the context: the handler has
// returned, and, as with net/http, whatever it started with the request's
// context must stop too.
func (c *requestContext) finish() {
	c.stop()
	c.mu.Lock()
	c.finished = true
	ready := c.ready.Load()
	c.mu.Unlock()
	if ready {
		c.cancel(nil)
	}
}
