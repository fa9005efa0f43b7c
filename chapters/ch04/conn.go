package ch04

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
)

// Conn is the server side of one client connection: what a connection
// loop needs to read requests from it and answer them, kept from one
// request to the next: the bufio.Reader and Writer, the request parser,
// the response header map and the response buffers.
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
	ctx        context.Context
	remoteAddr string
	logf       ch01.Logf
	lim        ch02.Limits
	hijacked   bool

	// Parser reads each request head from Reader (see ReadRequest).
	// NewConn sets chapter 2's; a server may set another that
	// keeps the same contract.
	Parser RequestParser
	// NewExchange makes each request's memory and context (see
	// NewRequest). NewConn sets WatchedExchange; a server may set another
	// that keeps the contract.
	NewExchange ExchangeFunc

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

// NewConn returns a Conn that serves rwc. ctx is the parent of every
// request's context; lim bounds each request, as chapter 2's Limits do;
// logf receives the complaints of the Responses (it may be nil).
func NewConn(ctx context.Context, rwc net.Conn, lim ch02.Limits, logf ch01.Logf) *Conn {
	return NewConnWith(ctx, rwc, lim, logf, NewBuffers())
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

// ReadRequest reads the next request head with Parser (see
// ch02.Parser.ReadRequest): io.EOF when the client closed before sending a
// byte, a *ch02.StatusError for a request to reject (answer it with
// ch03.WriteError), any other error when the connection failed. The
// request is valid until the next call.
func (c *Conn) ReadRequest() (*ch02.Request, error) {
	pr, err := c.Parser.ReadRequest(c.br)
	if err != nil && err != io.EOF {
		c.unread = true
	}
	return pr, err
}

// NewRequest builds the handler's request from pr, as the package's
// NewRequest does, and the Response that answers it. keepAlive says
// whether the loop means to keep the connection after this response (see
// NewResponse).
//
// Beyond the package-level functions, the pair is tied to the connection:
// the request's context is cancelled when the client goes away (see
// ErrClientGone) and answers http.LocalAddrContextKey, a body over the
// parser's limit reports that limit in its *http.MaxBytesError, and the Response
// can Hijack and set deadlines. The Response reuses the Conn's
// header map and buffers, so the previous Response from this Conn must be
// finished.
func (c *Conn) NewRequest(pr *ch02.Request, keepAlive bool) (*http.Request, *Response, error) {
	x, rc := c.NewExchange(c.ctx, c.rwc, c.br)
	r, err := newRequest(rc, pr, c.remoteAddr, &x.parts, rc)
	if err != nil {
		rc.Finish()
		c.unread = true
		return nil, nil, err
	}
	x.parts.body.maxBody = c.lim.MaxBodyBytes
	w := &x.w
	w.init(r, c.bw, keepAlive)
	w.Logf, w.conn, w.rc = c.logf, c, rc
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
// flight (RFC 9112 section 9.6). After a hijack, Close does nothing: the
// connection is the handler's.
func (c *Conn) Close() error {
	if c.hijacked {
		return nil
	}
	err := c.bw.Flush()
	if c.inputLeft() {
		ch02.LingerClose(c.rwc)
	} else if cerr := c.rwc.Close(); err == nil {
		err = cerr
	}
	return err
}
