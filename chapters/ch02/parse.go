package ch02

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
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

// Parser reads requests with its Limits. The zero value is ready to use
// with the default limits. (Chapter 9's Parser reads the same requests
// with the same verdicts, reusing its memory from one to the next.)
type Parser struct {
	// Limits bounds each request. Zero fields mean the defaults.
	Limits Limits
}

// ReadRequest reads one request head from br and returns it, with a Body
// that reads the message body from br. lim may be nil for the defaults.
func ReadRequest(br *bufio.Reader, lim *Limits) (*Request, error) {
	var p Parser
	if lim != nil {
		p.Limits = *lim
	}
	return p.ReadRequest(br)
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
func (p *Parser) ReadRequest(br *bufio.Reader) (*Request, error) {
	lim := p.Limits.WithDefaults()
	line, err := readRequestLine(br, &lim)
	if err != nil {
		return nil, err
	}
	req := new(Request)
	if err := ParseRequestLine(req, line); err != nil {
		return nil, err
	}
	fc := FieldChecker{MaxFields: lim.MaxHeaderFields}
	if req.Header, err = readFields(br, &lim, &fc); err != nil {
		return nil, err
	}
	if err := fc.Frame(req, &lim); err != nil {
		return nil, err
	}
	if req.Chunked {
		req.Body = NewChunkedReader(br, req, &lim)
	} else {
		req.Body = &FixedBody{br: br, remaining: req.ContentLength}
	}
	return req, nil
}

// readRequestLine reads the request-line, skipping one empty line before
// it, and returns it without its CRLF.
func readRequestLine(br *bufio.Reader, lim *Limits) (string, error) {
	limit := lim.MaxRequestLine + len("\r\n")
	line, err := readLine(br, limit)
	if line == "\r\n" {
		// RFC 9112 section 2.2: a server SHOULD ignore at least one empty
		// line before the request-line (old clients sent an extra CRLF
		// after a POST body). One, not any number: an endless stream of
		// CRLFs must not keep the connection busy for free.
		line, err = readLine(br, limit)
	}
	switch err {
	case nil:
	case io.EOF:
		return "", io.EOF
	case io.ErrUnexpectedEOF:
		return "", partialRequestLine(line)
	case errLineTooLong:
		// RFC 9112 section 3: a target longer than the server will parse
		// gets 414, a method longer than any it implements SHOULD get
		// 501. Without a space in the limit, the method is what is long;
		// after a second one, the target ended, and what goes on longer
		// than "HTTP/1.1\r\n" is no version: 400, the URI is not at fault.
		switch head := line[:min(len(line), limit)]; {
		case strings.Count(head, " ") >= 2 && len(head)-strings.LastIndexByte(head, ' ') > len(" HTTP/1.1\r\n"):
			return "", badRequest(ErrRequestLine, "over the request-line limit after the target")
		case strings.Contains(head, " "):
			return "", statusError(http.StatusRequestURITooLong, ErrRequestLineTooLong, "")
		case ValidToken(head):
			return "", statusError(http.StatusNotImplemented, ErrMethod, "longer than the request-line limit")
		default:
			return "", badRequest(ErrMethod, "not a token")
		}
	default:
		return "", fmt.Errorf("ch02: read request-line: %w", err)
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", badRequest(ErrLineEnding, "request-line ends in a bare LF")
	}
	return line[:len(line)-2], nil
}

// readFields reads field lines from br up to and including the empty
// line that ends the section (RFC 9112 section 5: the header section, or
// section 7.1.2: a trailer section), checking each with fc as it arrives,
// and returns the fields in order.
//
// lim.MaxHeaderBytes bounds the section, CRLFs included, and
// lim.MaxFieldSize, if not 0, each field line with its CRLF. Going over
// either is 431, as soon as the line goes over.
func readFields(br *bufio.Reader, lim *Limits, fc *FieldChecker) ([]Field, error) {
	var fields []Field
	left := lim.MaxHeaderBytes
	for {
		limit := lim.FieldLineLimit(left)
		line, err := readLine(br, limit)
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return nil, fc.partialFieldLine(line)
		case errLineTooLong:
			if limit < left {
				return nil, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
					"field line over "+strconv.Itoa(lim.MaxFieldSize)+" bytes")
			}
			return nil, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
				"over "+strconv.Itoa(lim.MaxHeaderBytes)+" bytes")
		default:
			return nil, fmt.Errorf("ch02: read field line: %w", err)
		}
		left -= len(line)
		if !strings.HasSuffix(line, "\r\n") {
			return nil, badRequest(ErrLineEnding, "field line ends in a bare LF")
		}
		if line == "\r\n" {
			return fields, nil // the empty line: end of the section
		}
		f, err := fc.Check(line[:len(line)-2])
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
}
