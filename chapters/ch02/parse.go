package ch02

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Field is one field line of a header or trailer section, in the order
// received.
type Field struct {
	Name  string // as received: case is kept, compare with Request.Get
	Value string // as received, without leading and trailing OWS
}

// Request is a parsed request head and a reader for its body.
type Request struct {
	Method string // a token, case-sensitive: "GET", "PURGE", anything
	Target string // the request-target exactly as received

	// Proto is the HTTP-version exactly as received, e.g. "HTTP/1.1".
	Proto string
	// ProtoMajor and ProtoMinor are the version served: 1.0, or 1.1 for
	// HTTP/1.1 and any later 1.x, which RFC 9110 section 6.2 says to
	// treat as the highest minor version the server implements.
	ProtoMajor, ProtoMinor int

	// Header holds the header section's fields in order, duplicates kept.
	Header []Field

	// ContentLength is the body's length in bytes, or -1 when the body is
	// chunked and its length is known only at its end.
	ContentLength int64
	// Chunked reports whether the body uses the chunked transfer coding.
	Chunked bool

	// Body reads the message body: ContentLength bytes, or the decoded
	// chunks; then io.EOF. It is never nil. Its errors are *StatusError
	// like ReadRequest's (400 for bad chunked framing or a truncated body,
	// 413 when the chunks go over Limits.MaxBodyBytes).
	Body io.Reader

	// Trailer holds a chunked body's trailer fields, in order, once Body
	// has returned io.EOF.
	Trailer []Field
}

// Get returns the value of the first field named name, compared without
// regard to ASCII case, or "" if there is none.
func (r *Request) Get(name string) string {
	for i := range r.Header {
		if equalFold(r.Header[i].Name, name) {
			return r.Header[i].Value
		}
	}
	return ""
}

// Values returns the values of every field named name, in order, compared
// without regard to ASCII case; nil if there is none.
func (r *Request) Values(name string) []string {
	var vs []string
	for i := range r.Header {
		if equalFold(r.Header[i].Name, name) {
			vs = append(vs, r.Header[i].Value)
		}
	}
	return vs
}

// keepBuffer is the largest scratch buffer a Parser keeps between
// requests; one grown by an unusually large head is dropped, so a single
// big request does not pin its memory for the life of a connection.
const keepBuffer = 16 << 10 // 16 KiB

// Parser reads requests and reuses its memory from one to the next: the
// scratch buffer the head is assembled in, the Request, its Header slice
// and its Body reader. The Request it returns is valid until the next call
// to ReadRequest, which is what a connection loop wants: it reads one
// request, serves it, then reads the next. It must read each Body to EOF
// before the next call, since the next request starts where the body
// ends (chapter 5 drains what a handler leaves unread).
//
// A Parser serves one connection at a time; it is not safe for concurrent
// use. The zero value is ready to use with the default limits.
type Parser struct {
	// Limits bounds each request. Zero fields mean the defaults.
	Limits Limits

	buf   []byte      // the head as read: request-line and field lines with their CRLFs
	spans []fieldSpan // where each field's name and value sit in buf
	req   Request
	body  body
}

// ReadRequest reads one request head from br and returns it, with a Body
// that reads the message body from br. lim may be nil for the defaults.
// It allocates a new Parser: a loop that reads many requests should keep
// one Parser and call its ReadRequest.
func ReadRequest(br *bufio.Reader, lim *Limits) (*Request, error) {
	r := new(Parser)
	if lim != nil {
		r.Limits = *lim
	}
	return r.ReadRequest(br)
}

// ReadRequest reads one request head from br and returns it, with a Body
// that reads the message body from br. It consumes nothing past the head:
// the body, and whatever follows the message, stay in br.
//
// It returns io.EOF, unwrapped, exactly when the input ended before any
// byte of a request (at most one empty line before it, which RFC 9112
// section 2.2 says to ignore, does not count): the client closed an idle
// connection and expects no answer. Every other failure is a *StatusError,
// except read errors from br, which are wrapped as they are.
//
// The returned Request, its Header and Body are reused by the next call.
// The strings in it are not: they stay valid.
func (r *Parser) ReadRequest(br *bufio.Reader) (*Request, error) {
	if cap(r.buf) > keepBuffer {
		r.buf = nil
	}
	r.buf = r.buf[:0]
	rl, err := r.readRequestLine(br)
	if err != nil {
		return nil, err
	}
	var hs headerState
	r.buf, r.spans, err = readFields(br, r.buf, r.spans[:0], r.Limits.maxHeaderBytes(), r.Limits.maxHeaderFields(), r.Limits.maxFieldSize(), &hs)
	if err != nil {
		return nil, err
	}

	// One allocation: the whole head becomes one string, and every string
	// in the Request is a slice of it.
	head := string(r.buf)
	req := &r.req
	*req = Request{
		Method:     head[:rl.methodEnd],
		Target:     head[rl.methodEnd+1 : rl.versionStart-1],
		Proto:      head[rl.versionStart:rl.versionEnd],
		ProtoMajor: 1,
		ProtoMinor: rl.minor,
		Header:     fillFields(req.Header[:0], head, r.spans),
	}
	if err := checkHost(&hs, req.ProtoMinor); err != nil {
		return nil, err
	}
	if err := r.frame(req, &hs, br); err != nil {
		return nil, err
	}
	return req, nil
}

// Forget drops what the Parser still holds of the last request: its
// strings, and the bufio.Reader its body read from. A server that hands
// its connections' bufio.Readers around through a pool while the
// connections wait (chapter 4's Conn.Park) calls it, so that a pooled
// reader is not kept alive by a request long finished. The scratch
// space stays, for the next request.
func (r *Parser) Forget() {
	fields := r.req.Header[:0]
	clear(fields[:cap(fields)])
	r.req = Request{Header: fields}
	r.body = body{}
}

// readRequestLine reads the request-line into r.buf, skipping one empty
// line before it, and parses it.
func (r *Parser) readRequestLine(br *bufio.Reader) (requestLine, error) {
	limit := r.Limits.maxRequestLine() + len("\r\n")
	var err error
	r.buf, err = readLine(br, r.buf, limit)
	if err == nil && len(r.buf) == 2 && endsInCRLF(r.buf) {
		// RFC 9112 section 2.2: a server SHOULD ignore at least one empty
		// line before the request-line (old clients sent an extra CRLF
		// after a POST body). One, not any number: an endless stream of
		// CRLFs must not keep the connection busy for free.
		r.buf, err = readLine(br, r.buf[:0], limit)
	}
	switch err {
	case nil:
	case io.EOF:
		return requestLine{}, io.EOF
	case io.ErrUnexpectedEOF:
		// Cut short; but if what arrived holds a bare CR, it was invalid
		// whatever would have followed, and saying so says more.
		if i := bytes.IndexByte(r.buf, '\r'); i >= 0 && i < len(r.buf)-1 {
			return requestLine{}, badRequest(ErrLineEnding, "bare CR in request-line")
		}
		return requestLine{}, truncated()
	case errLineTooLong:
		return requestLine{}, statusError(http.StatusRequestURITooLong, ErrRequestLineTooLong, "")
	default:
		return requestLine{}, fmt.Errorf("ch02: read request-line: %w", err)
	}
	if !endsInCRLF(r.buf) {
		return requestLine{}, badRequest(ErrLineEnding, "request-line ends in a bare LF")
	}
	return parseRequestLine(r.buf[:len(r.buf)-2])
}
