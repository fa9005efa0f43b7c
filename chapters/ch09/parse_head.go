package ch09

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// errSlow is readHead's signal that the head is not one the fast path
// takes: a line over its limit, a bare LF, more fields than allowed. The bytes
// read so far prove it; ch02 says how.
var errSlow = errors.New("ch09: head needs ch02's verdict")

// span is where the request-line sits in the head buffer: after one
// skipped empty line, if any, up to and including its CRLF.
type span struct{ start, end int }

// readHead reads a whole request head into p.buf, with ch02's read
// limits, and notes where its lines end. It checks nothing but what
// reading needs: the lines and their CRLFs. Any trouble is an error,
// and p.buf holds every byte consumed from br.
func (p *Parser) readHead(br *bufio.Reader, lim *ch02.Limits) (span, error) {
	if cap(p.buf) > keepBuffer {
		p.buf = nil
	}
	limit := lim.MaxRequestLine + len("\r\n")
	buf, err := ch02.AppendLine(p.buf[:0], br, limit)
	line := span{0, len(buf)}
	if err == nil && string(buf) == "\r\n" {
		// ch02 skips one empty line before the request-line.
		buf, err = ch02.AppendLine(buf, br, limit)
		line = span{2, len(buf)}
	}
	p.buf, p.ends = buf, p.ends[:0]
	if err := lineError(buf[line.start:], limit, err); err != nil {
		return line, err
	}
	if line.end-line.start == len("\r\n") {
		// A second empty line: ch02 refuses it. Read on, and the head's
		// own end would be taken for its request-line, leaving a client
		// that sent two CRLFs waiting, with no timeout, for ever.
		return line, errSlow
	}
	if !plausibleRequestLine(buf[line.start : line.end-2]) {
		// ch02 refuses this line whatever follows it ("GET /", HTTP/0.9;
		// a method that is no token): say so now, as ch02 does, not
		// once a head that may never come has arrived, or timed out.
		return line, errSlow
	}
	left := lim.MaxHeaderBytes
	checked := 0            // field lines that passed plausibleField
	ready := wholeLines(br) // bytes buffered up to the last LF: lines that need no read
	for {
		if ready == 0 {
			// The next line is not all here: it may be a long wait
			// away. If a line read since the last wait is one ch02
			// refuses, say so now, as ch02 does. (A head that arrives
			// whole is never checked here: parse checks it.)
			for ; checked < len(p.ends); checked++ {
				start := line.end
				if checked > 0 {
					start = p.ends[checked-1]
				}
				if !plausibleField(p.buf[start : p.ends[checked]-2]) {
					return line, errSlow
				}
			}
		}
		start, limit := len(p.buf), lim.FieldLineLimit(left)
		p.buf, err = ch02.AppendLine(p.buf, br, limit)
		if err := lineError(p.buf[start:], limit, err); err != nil {
			return line, err
		}
		n := len(p.buf) - start
		left -= n
		if ready -= n; ready < 0 {
			ready = wholeLines(br) // the line needed a read: see what came with it
		}
		switch {
		case len(p.buf)-start == len("\r\n"):
			return line, nil // the empty line that ends the head
		case len(p.ends) == lim.MaxHeaderFields:
			return line, errSlow // one field more than ch02 takes
		}
		p.ends = append(p.ends, len(p.buf))
	}
}

// plausibleRequestLine reports whether line, without its CRLF, passes
// the cheap half of ch02.ParseRequestLine's checks: a method that is a
// token, a space, then anything, a space and an HTTP/1.x version. A line
// that fails them, ch02 refuses on the line alone; one that passes may
// still be refused, once the head is in.
func plausibleRequestLine(line []byte) bool {
	sp, n := bytes.IndexByte(line, ' '), len(line)
	return sp > 0 && n-len(" HTTP/1.1") > sp && line[n-9] == ' ' &&
		string(line[n-8:n-2]) == "HTTP/1" && line[n-2] == '.' &&
		'0' <= line[n-1] && line[n-1] <= '9' && ch02.ValidToken(string(line[:sp]))
}

// wholeLines returns how many of br's buffered bytes end in an LF: the
// lines that can be read without waiting. It looks from the end, where a
// head read whole has its LF.
func wholeLines(br *bufio.Reader) int {
	b, _ := br.Peek(br.Buffered())
	return bytes.LastIndexByte(b, '\n') + 1
}

// plausibleField reports whether a field line, without its CRLF, passes
// the cheap half of ch02's checks: a name that is a token (so no leading
// whitespace, which would be obs-fold), a colon, and a value of valid
// bytes. A line that fails them, ch02 refuses on the line alone.
func plausibleField(line []byte) bool {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	// The strings live only for the calls: no copies, whatever their size.
	name, value := line[:colon], line[colon+1:]
	return ch02.ValidToken(unsafe.String(unsafe.SliceData(name), len(name))) &&
		ch02.ValidFieldValue(unsafe.String(unsafe.SliceData(value), len(value)))
}

// lineError is the error for a line AppendLine read with limit and
// returned with err: err if the input failed, errSlow if the line is over
// its limit or ends in a bare LF.
func lineError(line []byte, limit int, err error) error {
	switch {
	case len(line) > limit:
		return errSlow
	case err != nil:
		return err
	case !bytes.HasSuffix(line, []byte("\r\n")):
		return errSlow
	}
	return nil
}

// replay returns ch02's verdict on a head readHead could not take,
// which holds whatever made it fail: ch02 reads again the bytes
// consumed, then the error that ended them. Errors are rare, so this
// path may allocate.
func (p *Parser) replay(br *bufio.Reader, err error) (*ch02.Request, error) {
	if err == errSlow || err == io.ErrUnexpectedEOF {
		err = io.EOF // ch02 stops within the bytes consumed
	}
	again := bufio.NewReader(io.MultiReader(bytes.NewReader(p.buf), errReader{err}))
	if _, err = ch02.ReadRequest(again, &p.Limits); err == nil {
		// Cannot happen: ch02 read the same bytes with the same limits.
		err = fmt.Errorf("ch09: ch02 accepted %q, which the fast path refused", p.buf)
	}
	return nil, err
}

// errReader is the end of a replayed stream: it fails with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
