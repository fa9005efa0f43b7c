package ch02

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// frame decides how long the body is (RFC 9112 section 6.3) and sets up
// req.Body to read exactly that from br.
//
// A request's body is framed by Transfer-Encoding (chunked), by
// Content-Length, or not at all (length 0: unlike a response, a request
// is never read until the connection closes). Any doubt about which
// applies is a 400: when two parsers on a path disagree about where a
// body ends, the bytes one sees as body the other sees as the next
// request. That is request smuggling, and every rule here closes a door
// to it.
func (r *Parser) frame(req *Request, hs *headerState, br *bufio.Reader) error {
	maxBody := r.Limits.maxBodyBytes()
	switch {
	case hs.haveTE:
		var te codings
		for i := range req.Header {
			if f := &req.Header[i]; equalFold(f.Name, "transfer-encoding") {
				te.add(f.Value)
			}
		}
		if err := te.check(req, hs.haveCL); err != nil {
			return err
		}
		req.Chunked, req.ContentLength = true, -1
		r.body.reset(br, req, -1, maxBody, &r.Limits)
	case hs.haveCL:
		if maxBody > 0 && hs.cl > maxBody {
			// Refuse before reading a byte of it: the client may be
			// waiting on 100-continue, or sending gigabytes.
			return statusError(http.StatusRequestEntityTooLarge, ErrBodyTooLarge,
				strconv.FormatInt(hs.cl, 10)+" bytes, limit "+strconv.FormatInt(maxBody, 10))
		}
		req.ContentLength = hs.cl
		r.body.reset(br, req, hs.cl, maxBody, &r.Limits)
	default:
		req.ContentLength = 0
		r.body.reset(br, req, 0, maxBody, &r.Limits)
	}
	req.Body = &r.body
	return nil
}

// ParseContentLength parses a Content-Length value, 1*DIGIT (RFC 9110
// section 8.6), as the parser does: strictly. Chapter 4 checks a
// handler's Content-Length with it.
func ParseContentLength(v string) (int64, error) { return parseContentLength(v) }

// parseContentLength parses Content-Length = 1*DIGIT (RFC 9110 section
// 8.6). No sign, no spaces inside, no comma list: strconv.ParseInt would
// take "+5", and a lenient parser is exactly what a smuggler looks for.
// A value too large for int64 is an error, not a wrap-around (RFC 9110
// section 8.6: anticipate large numerals).
func parseContentLength[T text](v T) (int64, error) {
	if len(v) == 0 {
		return 0, badRequest(ErrContentLength, "empty")
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) {
			return 0, badRequest(ErrContentLength, quote([]byte(v)))
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, badRequest(ErrContentLength, "overflows int64")
		}
		n = n*10 + d
	}
	return n, nil
}

// codings gathers the transfer codings of every Transfer-Encoding field, in
// order (several fields are one comma-separated list, RFC 9110 section
// 5.3).
type codings struct {
	chunked     int    // how many were chunked
	lastChunked bool   // whether the last one was chunked
	unknown     string // the first coding other than chunked, if any
	malformed   string // the first element that is not a coding, if any
}

// add adds the codings listed in one Transfer-Encoding value:
//
//	Transfer-Encoding = #transfer-coding
//	transfer-coding   = token *( OWS ";" OWS transfer-parameter )
//
// (RFC 9112 section 6.1). Empty list elements are ignored, as RFC 9110
// section 5.6.1 requires. The parameters of a coding other than chunked
// are not checked: such a coding is refused anyway.
func (c *codings) add(v string) {
	for v != "" {
		elem := v
		if i := strings.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		elem = strings.Trim(elem, " \t")
		if elem == "" {
			continue
		}
		name, _, hasParams := strings.Cut(elem, ";")
		name = strings.TrimRight(name, " \t")
		if !allOf(name, classToken) || name == "" {
			c.setMalformed(elem)
			continue
		}
		c.lastChunked = equalFold(name, "chunked")
		switch {
		case c.lastChunked && hasParams:
			// chunked takes no parameters (RFC 9112 section 7).
			c.setMalformed(elem)
		case c.lastChunked:
			c.chunked++
		case c.unknown == "":
			c.unknown = name
		}
	}
}

func (c *codings) setMalformed(elem string) {
	if c.malformed == "" {
		c.malformed = elem
	}
}

// check applies RFC 9112 section 6 to a request with Transfer-Encoding.
func (c *codings) check(req *Request, haveCL bool) error {
	switch {
	case req.ProtoMinor == 0:
		// RFC 9112 section 6.1: an HTTP/1.0 recipient does not know
		// Transfer-Encoding, so a proxy before us may have framed this by
		// Content-Length or by nothing; the framing MUST be treated as
		// faulty.
		return badRequest(ErrTransferEncoding, "in an HTTP/1.0 request")
	case haveCL:
		// RFC 9112 section 6.1 lets a server either reject this or let
		// Transfer-Encoding win; only rejecting is safe when a proxy in
		// front may have chosen Content-Length.
		return badRequest(ErrTransferEncoding, "with Content-Length")
	case c.malformed != "":
		return badRequest(ErrTransferEncoding, "malformed coding "+quote([]byte(c.malformed)))
	case !c.lastChunked:
		// RFC 9112 section 6.3: if chunked is not the final coding of a
		// request, its length cannot be known: 400, then close.
		return badRequest(ErrTransferEncoding, "chunked is not the final coding")
	case c.chunked > 1:
		// RFC 9112 section 6.1: chunked MUST NOT be applied more than once.
		return badRequest(ErrTransferEncoding, "chunked more than once")
	case c.unknown != "":
		// RFC 9112 section 6.1: a coding we do not understand is 501.
		return statusError(http.StatusNotImplemented, ErrUnsupportedCoding, quote([]byte(c.unknown)))
	}
	return nil
}

// body is a Request's Body: it reads exactly the message body from br,
// counted by Content-Length or decoded from chunks.
type body struct {
	br        *bufio.Reader
	req       *Request
	remaining int64 // Content-Length bytes still unread; unused when chunked
	chunked   bool
	cr        chunkedReader
	err       error // sticky: once failed or at EOF, every Read says so
}

// reset prepares b to read a body of length n from br, or a chunked body
// when n is -1.
func (b *body) reset(br *bufio.Reader, req *Request, n, maxBody int64, lim *Limits) {
	b.br, b.req, b.err = br, req, nil
	b.chunked = n < 0
	b.remaining = max(n, 0)
	if b.chunked {
		b.cr.reset(br, maxBody, lim.maxHeaderBytes(), lim.maxHeaderFields())
		b.cr.maxFieldSize = lim.maxFieldSize()
	}
}

// Read reads the body. It never reads past the body's end, so whatever
// follows (the next request) stays in the bufio.Reader.
func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.chunked {
		n, err := b.cr.Read(p)
		if err == io.EOF {
			b.req.Trailer = b.cr.trailer
		}
		return n, err
	}
	if b.remaining == 0 {
		b.err = io.EOF
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	switch {
	case err == io.EOF && b.remaining > 0:
		b.err = truncated()
	case err != nil && err != io.EOF:
		b.err = fmt.Errorf("ch02: read body: %w", err)
	}
	if n > 0 {
		return n, nil // report a failure on the next call, with no data
	}
	return 0, b.err
}
