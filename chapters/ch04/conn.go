package ch04

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
)

// Conn is the server side of one client connection: what a connection
// loop needs to read requests from it and answer them, reused from one
// request to the next and, through a pool, from one connection to the
// next: the bufio.Reader and Writer, chapter 2's Reader, the response
// header map and the response buffers.
//
// Chapter 4's loop (Server) reads one request, serves it, and closes.
// Chapter 5 keeps the Conn and loops: ReadRequest, NewRequest, Serve,
// Finish, and again while the Response does not report MustClose.
//
// A Conn is used by one goroutine, the connection's.
type Conn struct {
	rwc        net.Conn
	br         *bufio.Reader
	bw         *bufio.Writer
	parser     ch02.Parser
	ctx        context.Context
	remoteAddr string
	logf       ch01.Logf
	hijacked   bool

	// tlsState is the TLS connection's state once Handshake has run, the
	// r.TLS of every request; nil on a plain connection.
	tlsState *tls.ConnectionState

	// unread reports that input may be left unread: a request was
	// rejected mid-way, or its body was not read to its end. Closing a
	// socket with unread input makes the kernel send a reset, which can
	// destroy the response before the client reads it; Close lingers
	// instead.
	unread   bool
	lastBody *body

	header  http.Header // the response header map, cleared for each response
	keys    []string    // scratch for sorting its names
	head    []byte      // the rendered header fields
	bodyBuf []byte      // the held-back body, ResponseBufferSize bytes
}

// connPool recycles Conns: chapter 2's Reader with its scratch space, the
// sort buffer for header names and the rendered-head buffer stay with the
// Conn. Its 12 KiB of buffers do not: a Conn takes them from the buffer
// pools (park.go) when it starts and gives them back when it closes or
// parks. A server that accepts thousands of short connections allocates
// the buffers once, and one that holds thousands of idle connections
// holds buffers only for the few that are busy.
var connPool = sync.Pool{New: func() any { return new(Conn) }}

// NewConn returns a Conn that serves rwc. ctx is the parent of every
// request's context; lim bounds each request, as chapter 2's Limits do;
// logf receives the complaints of the Responses (it may be nil).
func NewConn(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf) *Conn {
	c := connPool.Get().(*Conn)
	c.rwc, c.ctx, c.logf = rwc, ctx, logf
	c.parser.Limits = lim
	c.remoteAddr = rwc.RemoteAddr().String()
	c.takeBuffers(rwc)
	return c
}

// NetConn returns the connection.
func (c *Conn) NetConn() net.Conn { return c.rwc }

// Reader returns the connection's bufio.Reader. Bytes it holds past the
// current request are the start of the next one.
func (c *Conn) Reader() *bufio.Reader { return c.br }

// Writer returns the connection's bufio.Writer, which Responses write to
// and only the connection loop flushes (except Flush, 1xx and Hijack).
func (c *Conn) Writer() *bufio.Writer { return c.bw }

// RemoteAddr returns the client's address, as r.RemoteAddr holds it.
func (c *Conn) RemoteAddr() string { return c.remoteAddr }

// Hijacked reports whether a handler took over the connection. If so,
// the Conn must not be used again, not even closed.
func (c *Conn) Hijacked() bool { return c.hijacked }

// ReadRequest reads the next request head with chapter 2's parser (see
// ch02.Parser.ReadRequest): io.EOF when the client closed before sending a
// byte, a *ch02.StatusError for a request to reject (answer it with
// ch03.WriteError), any other error when the connection failed. The
// request is valid until the next call.
func (c *Conn) ReadRequest() (*ch02.Request, error) {
	pr, err := c.parser.ReadRequest(c.br)
	if err != nil && err != io.EOF {
		c.unread = true
	}
	return pr, err
}

// exchange is everything one request and its response need beside the
// http.Request itself, allocated in one piece.
type exchange struct {
	w     Response
	parts requestParts
	rc    requestContext
}

// NewRequest builds the handler's request from pr, as the package's
// NewRequest does, and the Response that answers it. keepAlive says
// whether the loop means to keep the connection after this response (see
// NewResponse).
//
// Beyond the package-level functions, the pair is tied to the connection:
// the request's context is cancelled when the client goes away (see
// ErrClientGone) and answers http.LocalAddrContextKey, r.TLS is the
// connection's TLS state once Handshake has run, a body over the parser's
// limit reports that limit in its *http.MaxBytesError, and the Response
// can Hijack and set deadlines. The Response reuses the Conn's
// header map and buffers, so the previous Response from this Conn must be
// finished.
func (c *Conn) NewRequest(pr *ch02.Request, keepAlive bool) (*http.Request, *Response, error) {
	x := new(exchange)
	x.rc.parent, x.rc.conn, x.rc.br = c.ctx, c.rwc, c.br
	r, err := newRequest(&x.rc, pr, c.remoteAddr, &x.parts, &x.rc)
	if err != nil {
		c.unread = true
		return nil, nil, err
	}
	r.TLS = c.tlsState
	x.parts.body.maxBody = c.parser.Limits.MaxBodyBytes
	w := &x.w
	w.init(r, c.bw, keepAlive)
	w.Logf, w.conn, w.rc = c.logf, c, &x.rc
	if c.header == nil {
		c.header = make(http.Header)
	}
	clear(c.header)
	w.header, w.keys, w.block, w.buf = c.header, c.keys, c.head, c.bodyBuf[:0]
	c.lastBody = w.reqBody
	return r, w, nil
}

// inputLeft reports whether the client may have sent bytes the server has
// not read: a rejected request, a body not read to its end, or bytes
// beyond the request already in the reader.
func (c *Conn) inputLeft() bool {
	return c.unread || c.br.Buffered() > 0 || (c.lastBody != nil && !c.lastBody.sawEOF)
}

// Close flushes what the responses wrote and closes the connection. When
// input may be left unread it closes the way chapter 2 does
// (ch02.LingerClose): send FIN, drain briefly, then close, so the kernel
// has no reason to answer with a reset that could destroy the response in
// flight (RFC 9112 section 9.6). The Conn goes back to the pool and must
// not be used again. After a hijack, Close does nothing: the connection is
// the handler's.
func (c *Conn) Close() error {
	if c.hijacked {
		return nil // br and bw went with the connection: not pooled either
	}
	err := c.bw.Flush()
	if c.inputLeft() {
		ch02.LingerClose(c.rwc)
	} else if cerr := c.rwc.Close(); err == nil {
		err = cerr
	}
	c.release()
	return err
}

// release resets c and returns it, and its buffers, to the pools.
func (c *Conn) release() {
	if c.br != nil { // not parked
		c.giveBuffers()
	}
	c.rwc, c.ctx, c.logf, c.remoteAddr = nil, nil, nil, ""
	c.tlsState = nil
	c.unread = false
	clear(c.keys[:cap(c.keys)]) // drop the names, not the array
	c.keys = c.keys[:0]
	connPool.Put(c)
}
