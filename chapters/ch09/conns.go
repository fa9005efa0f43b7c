package ch09

import (
	"context"
	"net"
	"sync"

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
// the pool, and while it waits for its next request it holds none.
type conns struct{}

// connState is what a connection keeps beside its ch04.Conn: its parser,
// the reader it waits with, the empty Buffers it swaps with the Conn's
// when it goes idle, and the exchange of the request just read. It is
// the Conn's Parser, so Wait finds it there, and its newExchange is the
// Conn's NewExchange.
type connState struct {
	Parser
	idle  *idleReader   // nil where idle waits are not possible
	spare *ch04.Buffers // empty while busy; nil while parked
	next  *exchange     // the request just read, until its NewExchange
}

// NewConn returns a ch04.Conn for rwc with buffers from the pool, the
// fast parser, and one allocation per request for the request, its head
// and its lazy context (exchange).
func (conns) NewConn(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf) *ch04.Conn {
	b := buffers.Get().(*ch04.Buffers)
	hc := ch04.NewConnWith(ctx, rwc, lim, logf, b) // b is now empty
	st := &connState{Parser: Parser{Limits: lim}, idle: newIdleReader(rwc), spare: b}
	hc.Parser, hc.NewExchange = st, st.newExchange
	return hc
}

// Wait waits for the first byte of the next request. When nothing is
// buffered in either direction, the wait may be long (seconds, for a
// browser between clicks), so the connection first gives its buffers back
// to the pool and waits without them (idleReader); it takes a set again
// only once the request's first bytes have arrived, and its reader reads
// those first. An idle connection then costs its goroutine and a few
// hundred bytes, not 12 KiB more.
func (conns) Wait(hc *ch04.Conn) (*ch04.Conn, error) {
	st := hc.Parser.(*connState)
	if st.idle != nil && hc.Reader().Buffered() == 0 && hc.Writer().Buffered() == 0 {
		st.Forget() // the last request's strings and reader, which the pool must not keep
		hc.SwapBuffers(st.spare, nil)
		buffers.Put(st.spare)
		err := st.idle.wait()
		st.spare = buffers.Get().(*ch04.Buffers)
		hc.SwapBuffers(st.spare, st.idle)
		if err != nil {
			return hc, err
		}
	}
	_, err := hc.Reader().Peek(1)
	return hc, err
}

// Done gives the closed connection's buffers back to the pool.
func (conns) Done(hc *ch04.Conn) {
	st := hc.Parser.(*connState)
	st.Forget()
	hc.SwapBuffers(st.spare, nil)
	buffers.Put(st.spare)
	st.spare = nil
}
