package ch04

// This file holds the hooks a faster server plugs into a Conn: another
// parser (RequestParser), the memory and context of each request made
// another way (ExchangeFunc), and buffers it can take back while a
// connection waits (Buffers). Chapter 4's server uses the defaults
// NewConn sets; chapter 9 ("make it fast") sets its own. Read it after
// the rest.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
)

// RequestParser reads one request head from a connection's reader, with
// the contract of ch02.Parser.ReadRequest: io.EOF when the input ended
// before a request, a *ch02.StatusError for a request to reject, the
// request valid until the next call.
type RequestParser interface {
	ReadRequest(br *bufio.Reader) (*ch02.Request, error)
}

// Exchange is the memory of one request and its response, beside the
// strings the parser made: the Response, the http.Request, its URL, its
// body and room for its header values, allocated in one piece. A handler
// may keep the request after it returns, so each request has its own.
type Exchange struct {
	w     Response
	parts requestParts
}

// ExchangeFunc makes the Exchange and the RequestContext of each request
// on a Conn: parent is the Conn's context, conn and br the connection and
// its reader, which a watch on the client reads once the body is done.
// (Chapter 9's allocates the two together.)
type ExchangeFunc func(parent context.Context, conn net.Conn, br *bufio.Reader) (*Exchange, RequestContext)

// WatchedExchange is the ExchangeFunc NewConn sets: a new Exchange, and
// WatchClient's context.
func WatchedExchange(parent context.Context, conn net.Conn, br *bufio.Reader) (*Exchange, RequestContext) {
	return new(Exchange), WatchClient(parent, conn, br)
}

// NewConnWith is NewConn with the buffers given: b's are the Conn's, and
// b is left empty.
func NewConnWith(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf, b *Buffers) *Conn {
	c := &Conn{
		rwc: rwc, ctx: ctx, lim: lim, logf: logf,
		remoteAddr:  rwc.RemoteAddr().String(),
		Parser:      &ch02.Parser{Limits: lim},
		NewExchange: WatchedExchange,
	}
	c.SwapBuffers(b, rwc)
	return c
}

// Buffers are the memory a Conn reads and writes through, 12 KiB of it
// and most of what a connection costs: its reader and writer, the
// held-back response body and the response header map. A Buffers is
// empty when all four are nil.
type Buffers struct {
	Reader *bufio.Reader
	Writer *bufio.Writer
	Body   []byte      // ResponseBufferSize bytes of capacity
	Header http.Header // empty
}

// NewBuffers allocates a set of Buffers.
func NewBuffers() *Buffers {
	return &Buffers{
		Reader: bufio.NewReaderSize(nil, connBufferSize),
		Writer: bufio.NewWriterSize(nil, connBufferSize),
		Body:   make([]byte, 0, ResponseBufferSize),
		Header: make(http.Header),
	}
}

// SwapBuffers exchanges c's buffers with b's. c takes the ones in b, its
// reader reading from src (the connection, or a reader that first
// returns bytes already read from it) and its writer writing to the
// connection; b gets the ones c had, emptied and detached. Given an
// empty b, c is left without buffers, and must get some before it is
// used again; only a Conn with nothing buffered (Reader().Buffered() and
// Writer().Buffered() both 0) between two requests can give them up.
func (c *Conn) SwapBuffers(b *Buffers, src io.Reader) {
	old := Buffers{Reader: c.br, Writer: c.bw, Body: c.bodyBuf, Header: c.header}
	c.br, c.bw, c.bodyBuf, c.header = b.Reader, b.Writer, b.Body, b.Header
	if c.br != nil {
		c.br.Reset(src)
		c.bw.Reset(c.rwc)
		c.bodyBuf = c.bodyBuf[:0]
	}
	if old.Reader != nil {
		old.Reader.Reset(nil)
		old.Writer.Reset(nil)
		clear(old.Header)
		old.Body = old.Body[:0]
	}
	c.lastBody = nil // its request is served: nothing of it is left unread
	*b = old
}
