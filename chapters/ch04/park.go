package ch04

import (
	"bufio"
	"io"
	"net/http"
	"sync"
)

// This file holds what chapter 5's keep-alive loop needs from a Conn and
// a Response beyond what chapter 4's one-request loop used.

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

// The buffers of Conns that are not using them, shared by every
// connection: a Conn takes a set when it starts or unparks, and gives it
// back when it parks or closes.
var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, connBufferSize) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, connBufferSize) }}
	bodyPool   = sync.Pool{New: func() any { return new([ResponseBufferSize]byte) }}
	headerPool = sync.Pool{New: func() any { return make(http.Header) }}
)

// Park gives the Conn's buffers (its reader's, its writer's and the
// response body buffer, 12 KiB, and the response header map) back to
// pools shared by every connection, so that a connection waiting for its
// next request holds none of them.
// A server with ten thousand idle keep-alive connections then holds
// buffers only for the few that are busy.
//
// It reports whether it parked: not when the reader holds bytes already
// received (the next request has started) or the writer holds bytes not
// yet sent. A parked Conn must be Unparked before any other use, Close
// included. Waiting for the next request's first bytes is the caller's
// business: it can wait without reading, then Unpark, or read them into
// a buffer of its own and hand them back with UnparkWith.
func (c *Conn) Park() bool {
	if c.br == nil {
		return true
	}
	if c.br.Buffered() > 0 || c.bw.Buffered() > 0 {
		return false
	}
	c.giveBuffers()
	return true
}

// Unpark takes buffers from the pools for a parked Conn, which can then
// read its next request. It does nothing to a Conn that is not parked.
func (c *Conn) Unpark() { c.UnparkWith(c.rwc) }

// UnparkWith is Unpark for a caller that has read the first bytes of the
// next request itself while the Conn was parked: the Conn's reader reads
// from src, which returns those bytes and then reads the connection, until
// the next Park.
func (c *Conn) UnparkWith(src io.Reader) {
	if c.br == nil {
		c.takeBuffers(src)
	}
}

// takeBuffers gives c a set of buffers from the pools; its reader reads
// from src.
func (c *Conn) takeBuffers(src io.Reader) {
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(src)
	c.bw = writerPool.Get().(*bufio.Writer)
	c.bw.Reset(c.rwc)
	c.bodyBuf = bodyPool.Get().(*[ResponseBufferSize]byte)[:0]
	c.header = headerPool.Get().(http.Header)
}

// giveBuffers returns c's buffers to the pools, whatever they hold.
func (c *Conn) giveBuffers() {
	c.br.Reset(nil)
	readerPool.Put(c.br)
	c.bw.Reset(nil)
	writerPool.Put(c.bw)
	if cap(c.bodyBuf) == ResponseBufferSize {
		bodyPool.Put((*[ResponseBufferSize]byte)(c.bodyBuf[:ResponseBufferSize]))
	}
	clear(c.header)
	headerPool.Put(c.header)
	c.br, c.bw, c.bodyBuf, c.header = nil, nil, nil, nil
	// The last request still points at the buffers (its body read from
	// br, its Response wrote to bw): let go of it too, or a buffer the
	// pool has since dropped stays alive, pinned by a connection that
	// waits or by a Conn in connPool.
	c.parser.Forget()
	c.lastBody = nil
}
