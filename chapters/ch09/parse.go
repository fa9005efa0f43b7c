package ch09

import (
	"bufio"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// keepBuffer is the largest head buffer a Parser keeps between requests;
// one grown by an unusually large head is dropped, so a single big
// request does not pin its memory for the life of a connection.
const keepBuffer = 16 << 10 // 16 KiB

// Parser reads requests as ch02.Parser does, with the same verdict on
// every input, and reuses its memory from one request to the next: the
// buffer the head is read into, the Request, its Header slice and its
// Body reader. A typical request costs one allocation: the head, turned
// into one string that every string of the Request is a slice of.
//
// The Request it returns is valid until the next call to ReadRequest,
// which is what a connection loop wants: it reads one request, serves
// it, then reads the next. Each Body must be read to EOF before the next
// call, since the next request starts where the body ends.
//
// A Parser serves one connection at a time; it is not safe for concurrent
// use. The zero value is ready to use with the default limits.
type Parser struct {
	// Limits bounds each request. Zero fields mean the defaults.
	Limits ch02.Limits

	buf     []byte // the head as read: the lines with their CRLFs
	ends    []int  // where each field line ends in buf, after its CRLF
	req     ch02.Request
	fixed   ch02.FixedBody
	chunked ch02.ChunkedReader
}

// ReadRequest reads one request from br as ch02.Parser.ReadRequest does:
// same result, same errors, nothing consumed past the head. The returned
// Request, its Header and Body are reused by the next call; the strings
// in it are not: they stay valid.
func (p *Parser) ReadRequest(br *bufio.Reader) (*ch02.Request, error) {
	lim := p.Limits.WithDefaults()
	line, err := p.readHead(br, &lim)
	if err != nil {
		return p.replay(br, err)
	}
	// One allocation: the whole head becomes one string, and every string
	// in the Request is a slice of it.
	return p.parseHead(br, &lim, line, string(p.buf))
}

// parseHead fills the Request from head, the string of the bytes
// readHead left in p.buf, whose request-line is at line. ch02 checks it,
// line by line, in the order it checks them as they arrive.
func (p *Parser) parseHead(br *bufio.Reader, lim *ch02.Limits, line span, head string) (*ch02.Request, error) {
	req := &p.req
	*req = ch02.Request{Header: req.Header[:0]}
	if err := ch02.ParseRequestLine(req, head[line.start:line.end-2]); err != nil {
		return nil, err
	}
	fc := ch02.FieldChecker{MaxFields: lim.MaxHeaderFields, ValidValue: validFieldValue}
	start := line.end
	for _, end := range p.ends {
		f, err := fc.Check(head[start : end-2])
		if err != nil {
			return nil, err
		}
		req.Header = append(req.Header, f)
		start = end
	}
	if err := fc.Frame(req, lim); err != nil {
		return nil, err
	}
	if req.Chunked {
		p.chunked.Reset(br, req, lim)
		req.Body = &p.chunked
	} else {
		p.fixed.Reset(br, req.ContentLength)
		req.Body = &p.fixed
	}
	return req, nil
}

// Forget drops what the Parser still holds of the last request: its
// strings, and the bufio.Reader its body read from. A server that hands
// its connections' bufio.Readers around through a pool while the
// connections wait calls it, so that a pooled reader is not kept alive
// by a request long finished. The scratch space stays, for the next
// request.
func (p *Parser) Forget() {
	fields := p.req.Header[:cap(p.req.Header)]
	clear(fields)
	p.req = ch02.Request{Header: fields[:0]}
	p.fixed = ch02.FixedBody{}
	p.chunked.Reset(nil, nil, &p.Limits)
}
