package ch09

import (
	"context"
	"net"
	"os"
	"sync"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
)

// buffers holds the chapter 4 Buffers of connections that are not using
// them: a connection takes a set when it starts or its next request
// arrives, and gives it back when it closes or goes idle. A server that
// accepts thousands of short connections allocates the buffers once, and
// one that holds thousands of idle connections holds buffers only for the
// few that are busy. (A pooled set survives one garbage collection unused
// and goes at the next: an idle server gives its memory back.)
var buffers = sync.Pool{New: func() any { return ch04.NewBuffers() }}

// conns is chapter 5's ch05.ConnManager made lean: each connection is
// served by a ch04.Conn with chapter 9's Parser, its buffers come from
// the pool, while it waits for its next request it holds none, and its
// idle timeout is kept by the server's sweeper rather than a deadline per
// request. The zero value is ready to use; a server uses one for all its
// connections.
type conns struct {
	idle sweeper
}

// connState is what a connection keeps beside its ch04.Conn: its parser,
// the reader it waits with, the empty Buffers it swaps with the Conn's
// when it goes idle, the exchange of the request just read, and its
// place in the sweeper. It is the Conn's Parser, so Wait finds it there,
// and its newExchange is the Conn's NewExchange.
type connState struct {
	Parser
	idle   *idleReader   // nil where idle waits are not possible
	spare  *ch04.Buffers // empty while busy; nil while parked
	next   *exchange     // the request just read, until its NewExchange
	waiter *waiter       // the connection as the sweeper knows it
}

// NewConn returns a ch04.Conn for rwc with buffers from the pool, the
// fast parser, and one allocation per request for the request, its head
// and its lazy context (exchange).
func (m *conns) NewConn(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf) *ch04.Conn {
	b := buffers.Get().(*ch04.Buffers)
	hc := ch04.NewConnWith(ctx, rwc, lim, logf, b) // b is now empty
	st := &connState{Parser: Parser{Limits: lim}, idle: newIdleReader(rwc), spare: b, waiter: newWaiter(rwc)}
	hc.Parser, hc.NewExchange = st, st.newExchange
	return hc
}

// Wait waits for the first byte of the next request. An idle wait, after
// a request, is bounded by the sweeper (see sweeper), not by a deadline:
// it starts by clearing whatever deadline the last request left (its
// body's drain, a handler's own), which costs little when there is none,
// and ends with os.ErrDeadlineExceeded if a sweep ended it first.
func (m *conns) Wait(hc *ch04.Conn, idle bool, timeout time.Duration) (*ch04.Conn, error) {
	st := hc.Parser.(*connState)
	if !idle {
		return hc, m.wait(hc, st) // the first request: under its head's deadline
	}
	// Before begin, never after: once the wait is begun, a sweep may set
	// a deadline in the past to end it, which a clear would undo.
	hc.NetConn().SetReadDeadline(time.Time{})
	if timeout <= 0 {
		return hc, m.wait(hc, st) // no idle timeout
	}
	m.idle.begin(st.waiter, timeout)
	err := m.wait(hc, st)
	if m.idle.end(st.waiter) {
		return hc, os.ErrDeadlineExceeded
	}
	return hc, err
}

// wait waits for the first byte of the next request under whatever
// deadline is set. When nothing is buffered in either direction, the
// wait may be long (seconds, for a browser between clicks), so the
// connection first gives its buffers back to the pool and waits without
// them (idleReader); it takes a set again only once the socket is
// readable, and its reader reads the request into them (after whatever
// the wait's first read took). An idle connection then costs its
// goroutine and a few hundred bytes, not 12 KiB more.
func (m *conns) wait(hc *ch04.Conn, st *connState) error {
	if st.idle != nil && hc.Reader().Buffered() == 0 && hc.Writer().Buffered() == 0 {
		st.Forget() // the last request's strings and reader, which the pool must not keep
		hc.SwapBuffers(st.spare, nil)
		buffers.Put(st.spare)
		err := st.idle.wait()
		st.spare = buffers.Get().(*ch04.Buffers)
		hc.SwapBuffers(st.spare, st.idle)
		if err != nil {
			return err
		}
	}
	_, err := hc.Reader().Peek(1)
	return err
}

// Done gives the closed connection's buffers back to the pool, and takes
// it out of the sweeper's hands.
func (m *conns) Done(hc *ch04.Conn) {
	st := hc.Parser.(*connState)
	m.idle.forget(st.waiter)
	st.Forget()
	hc.SwapBuffers(st.spare, nil)
	buffers.Put(st.spare)
	st.spare = nil
}
