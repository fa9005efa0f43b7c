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

// Frame applies the rules that need the whole header section, once fc
// has checked it: an HTTP/1.1 request without a Host field is 400 (RFC
// 9112 section 3.2; two Hosts, or an invalid one, were refused as they
// arrived). Then it decides how long the body is (RFC 9112 section 6.3)
// and sets req.ContentLength and req.Chunked.
//
// A request's body is framed by Transfer-Encoding (chunked), by
// Content-Length, or not at all (length 0: unlike a response, a request
// is never read until the connection closes). Any doubt about which
// applies is a 400: when two parsers on a path disagree about where a
// body ends, the bytes one sees as body the other sees as the next
// request. That is request smuggling, and every rule here closes a door
// to it.
func (fc *FieldChecker) Frame(req *Request, lim *Limits) error {
	if fc.hosts == 0 && req.ProtoMinor >= 1 {
		return badRequest(ErrHost, "HTTP/1.1 request without Host")
	}
	switch {
	case fc.haveTE:
		var te codings
		for _, f := range req.Header {
			if equalFold(f.Name, "transfer-encoding") {
				te.add(f.Value)
			}
		}
		if err := te.check(req, fc.haveCL); err != nil {
			return err
		}
		req.Chunked, req.ContentLength = true, -1
	case fc.haveCL && lim.MaxBodyBytes > 0 && fc.cl > lim.MaxBodyBytes:
		// Refuse before reading a byte of it: the client may be waiting
		// on 100-continue, or sending gigabytes.
		return statusError(http.StatusRequestEntityTooLarge, ErrBodyTooLarge,
			strconv.FormatInt(fc.cl, 10)+" bytes, limit "+strconv.FormatInt(lim.MaxBodyBytes, 10))
	default:
		req.Chunked, req.ContentLength = false, fc.cl
	}
	return nil
}

// ParseContentLength parses a Content-Length value, 1*DIGIT (RFC 9110
// section 8.6), as the parser does: strictly. Chapter 4 checks a
// handler's Content-Length with it.
//
// No sign, no spaces inside, no comma list: strconv.ParseInt would
// take "+5", and a lenient parser is exactly what a smuggler looks for.
// A value too large for int64 is an error, not a wrap-around (RFC 9110
// section 8.6: anticipate large numerals).
func ParseContentLength(v string) (int64, error) {
	if len(v) == 0 {
		return 0, badRequest(ErrContentLength, "empty")
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) {
			return 0, badRequest(ErrContentLength, quote(v))
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
// (RFC 9112 section 6.1), a list read with ListElements. The parameters
// of a coding other than chunked are not checked: such a coding is
// refused anyway.
func (c *codings) add(v string) {
	for elem := range ListElements(v) {
		name, _, hasParams := strings.Cut(elem, ";")
		name = strings.TrimRight(name, " \t")
		if !ValidToken(name) {
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
		return badRequest(ErrTransferEncoding, "malformed coding "+quote(c.malformed))
	case !c.lastChunked:
		// RFC 9112 section 6.3: if chunked is not the final coding of a
		// request, its length cannot be known: 400, then close.
		return badRequest(ErrTransferEncoding, "chunked is not the final coding")
	case c.chunked > 1:
		// RFC 9112 section 6.1: chunked MUST NOT be applied more than once.
		return badRequest(ErrTransferEncoding, "chunked more than once")
	case c.unknown != "":
		// RFC 9112 section 6.1: a coding we do not understand is 501.
		return statusError(http.StatusNotImplemented, ErrUnsupportedCoding, quote(c.unknown))
	}
	return nil
}

// FixedBody is the Body of a request framed by Content-Length (or of
// length 0): it reads exactly that many bytes from a bufio.Reader, never
// past them, so whatever follows (the next request) stays there.
type FixedBody struct {
	br        *bufio.Reader
	remaining int64 // bytes still unread
	err       error // sticky: once failed or at EOF, every Read says so
}

// Reset prepares b to read a body of n bytes from br.
func (b *FixedBody) Reset(br *bufio.Reader, n int64) {
	*b = FixedBody{br: br, remaining: n}
}

// Read reads the body; a body cut short by EOF is ErrTruncated.
func (b *FixedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
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
