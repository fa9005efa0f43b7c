package ch09

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpfromscratch/course/chapters/ch04"
)

// lazyContext is a request's context that costs nothing until someone
// asks for it. Chapter 4's WatchClient, like net/http, gives every request
// a cancellable context and, once its body is read, a goroutine that reads
// the connection to notice the client leaving: seven allocations (the
// lesson counts them), a goroutine started and stopped, and two deadline
// changes per request.
// Most handlers never look at their context. This one builds chapter 4's
// watch only when Done or Err is first called, and replays on it what
// happened before (the body's end, the handler's return), so a handler
// that never asks pays for none of it, and one that asks gets exactly
// chapter 4's behaviour.
//
// Value does not build the watch: it answers http.LocalAddrContextKey
// itself and asks the parent for the rest until the watch exists; then it
// asks the watch, so that the context package finds the real cancelCtx
// behind a child such as context.WithTimeout(r.Context(), d) and hangs
// the child on it with no goroutine of its own.
type lazyContext struct {
	parent context.Context
	laddr  net.Addr      // the connection's local address, for Value
	conn   net.Conn      // the connection, until Finish
	br     *bufio.Reader // its reader, until Finish

	// ready is set, under mu, once watch is; after that watch never
	// changes and is read without the lock.
	ready atomic.Bool
	watch ch04.RequestContext

	mu       sync.Mutex
	bodyDone bool // BodyDone was called
	stopped  bool // Stop was called
	finished bool // Finish was called
}

// get returns chapter 4's watch, building it on first use with what has
// happened so far.
func (c *lazyContext) get() ch04.RequestContext {
	if c.ready.Load() {
		return c.watch
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ready.Load() {
		if c.finished {
			c.watch = newCancelled(c.parent, c.laddr) // nothing to watch
			c.ready.Store(true)
			return c.watch
		}
		c.watch = ch04.WatchClient(c.parent, c.conn, c.br)
		switch {
		case c.stopped:
			c.watch.Stop()
		case c.bodyDone:
			c.watch.BodyDone()
		}
		c.ready.Store(true)
	}
	return c.watch
}

// Deadline returns the parent's deadline: the request adds none.
func (c *lazyContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done builds the watch and returns its channel.
func (c *lazyContext) Done() <-chan struct{} { return c.get().Done() }

// Err builds the watch and returns its error.
func (c *lazyContext) Err() error { return c.get().Err() }

// Value answers http.LocalAddrContextKey with the connection's local
// address, as net/http's request contexts do, and forwards every other
// key: to the watch once it exists, to the parent until then.
func (c *lazyContext) Value(key any) any {
	if key == http.LocalAddrContextKey {
		return c.laddr
	}
	if c.ready.Load() {
		return c.watch.Value(key)
	}
	return c.parent.Value(key)
}

// String names the context for fmt, as the context package's do.
func (c *lazyContext) String() string { return "ch09.lazyContext" }

// note sets one of the flags under the lock, and returns the watch to
// pass the event on to, or nil while there is none: get will replay the
// flags when it builds one.
func (c *lazyContext) note(flag *bool) ch04.RequestContext {
	c.mu.Lock()
	defer c.mu.Unlock()
	*flag = true
	if c.ready.Load() {
		return c.watch
	}
	return nil
}

// BodyDone notes the body's end, and tells the watch if it exists.
func (c *lazyContext) BodyDone() {
	if w := c.note(&c.bodyDone); w != nil {
		w.BodyDone()
	}
}

// Stop notes the hijack, and stops the watch if it exists.
func (c *lazyContext) Stop() {
	if w := c.note(&c.stopped); w != nil {
		w.Stop()
	}
}

// Finish notes the handler's return, and finishes the watch if it exists.
// It lets go of the connection and its reader: the request's exchange
// may live on in what a handler kept, and must not keep them.
func (c *lazyContext) Finish() {
	c.mu.Lock()
	c.finished = true
	c.conn, c.br = nil, nil
	w := c.watch
	if !c.ready.Load() {
		w = nil
	}
	c.mu.Unlock()
	if w != nil {
		w.Finish()
	}
}

// cancelled is the context of a request whose handler returned before
// anyone asked for its Done or Err: cancelled already, as chapter 4's
// watch would be by then, with nothing to watch.
type cancelled struct{ context.Context }

func newCancelled(parent context.Context, laddr net.Addr) cancelled {
	ctx, cancel := context.WithCancel(context.WithValue(parent, http.LocalAddrContextKey, laddr))
	cancel()
	return cancelled{ctx}
}

func (cancelled) BodyDone() {}
func (cancelled) Stop()     {}
func (cancelled) Finish()   {}
