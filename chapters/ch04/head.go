package ch04

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
)

// renderHeader appends the handler's header fields to dst as field lines,
// names in sorted order (map order is random, and a response should not
// change from one run to the next), each value on a line of its own (RFC
// 9110 section 5.3: Set-Cookie cannot be combined).
//
// The fields the Response derives itself are not copied (RFC 9112
// sections 6 and 9.6): Content-Length, Transfer-Encoding and Connection,
// whatever their case. When final is set, they and a few others are read
// instead: the handler's Content-Length becomes the promised length,
// "Connection: close" closes the connection, a Date or Content-Type key
// turns off the generated one, a Trailer field declares trailers.
func (w *Response) renderHeader(dst []byte, final bool) []byte {
	keys := w.keys[:0]
	for k := range w.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.keys = keys
	for _, k := range keys {
		vs := w.header[k]
		switch fieldKindOf(k) {
		case fieldContentLength:
			if final {
				w.declareLength(vs)
			}
			continue
		case fieldTransferEncoding:
			continue
		case fieldConnection:
			if final && w.status == http.StatusSwitchingProtocols {
				// RFC 9110 section 7.8: a 101 says "Connection: upgrade"
				// itself; the handler's field goes out as it is.
				break
			}
			if final && HasToken(vs, "close") {
				w.closeAfter = true
			}
			continue
		case fieldDate:
			w.hasDate = w.hasDate || final
		case fieldContentType:
			w.hasType = w.hasType || final
		case fieldTrailer:
			if final {
				w.trailerDecl = vs
			}
		}
		if strings.HasPrefix(k, http.TrailerPrefix) {
			w.trailerKey = w.trailerKey || final
			continue // sent after the body, if at all
		}
		for _, v := range vs {
			dst = w.appendField(dst, k, v)
		}
	}
	return dst
}

// appendField appends one field line through ch03.AppendHeader, which
// refuses what would split the response. Rather than fail the response
// over one bad field, it does what net/http does: a value with CR, LF or
// another control byte has them replaced by spaces, and a field whose name
// is not a token is dropped and logged. Leading and trailing whitespace
// is trimmed from values, as net/http trims it.
func (w *Response) appendField(dst []byte, name, value string) []byte {
	value = strings.Trim(value, ows)
	out, err := ch03.AppendHeader(dst, name, value)
	if errors.Is(err, ch03.ErrInvalidHeaderValue) {
		out, err = ch03.AppendHeader(dst, name, sanitizeValue(value))
	}
	if err != nil {
		w.logf("ch04: dropping response header field: %v", err)
		return dst
	}
	return out
}

// ows is optional whitespace, SP and HTAB (RFC 9110 section 5.6.3): the
// spaces around a field value are not part of it (section 5.5).
const ows = " \t"

// sanitizeValue replaces every control byte but HTAB with a space.
func sanitizeValue(v string) string {
	b := []byte(v)
	for i, c := range b {
		if (c < ' ' && c != '\t') || c == 0x7f {
			b[i] = ' '
		}
	}
	return strings.Trim(string(b), ows)
}

// declareLength takes the handler's Content-Length. net/http ignores an
// invalid one and logs it; so does this.
func (w *Response) declareLength(vs []string) {
	if len(vs) == 0 {
		return
	}
	if n, err := ch02.ParseContentLength(vs[0]); err == nil {
		w.declared = n
		return
	}
	w.logf("ch04: ignoring invalid Content-Length %q set by the handler", vs[0])
}

// fieldKind names the fields the Response treats specially.
type fieldKind uint8

const (
	fieldOther fieldKind = iota
	fieldContentLength
	fieldTransferEncoding
	fieldConnection
	fieldDate
	fieldContentType
	fieldTrailer
)

// fieldKindOf classifies a header name without regard to case: a handler
// that writes h["content-length"] directly, bypassing canonicalisation,
// must not slip a second framing field past the Response.
func fieldKindOf(name string) fieldKind {
	switch len(name) {
	case len("Date"):
		if strings.EqualFold(name, "Date") {
			return fieldDate
		}
	case len("Trailer"):
		if strings.EqualFold(name, "Trailer") {
			return fieldTrailer
		}
	case len("Connection"):
		if strings.EqualFold(name, "Connection") {
			return fieldConnection
		}
	case len("Content-Type"):
		if strings.EqualFold(name, "Content-Type") {
			return fieldContentType
		}
	case len("Content-Length"):
		if strings.EqualFold(name, "Content-Length") {
			return fieldContentLength
		}
	case len("Transfer-Encoding"):
		if strings.EqualFold(name, "Transfer-Encoding") {
			return fieldTransferEncoding
		}
	}
	return fieldOther
}

// commit writes the head to bw and fixes how the body is framed (RFC 9112
// section 6.3). length is the body's length, or -1 when the head must go
// before the body is complete. sniff holds the first body bytes, from
// which the Content-Type is guessed when the handler set none.
//
// The head is built in bw's free buffer space (AvailableBuffer), as
// ch03.WriteResponse does, so a head that fits costs no allocation.
func (w *Response) commit(length int64, sniff []byte) error {
	w.committed = true
	code := w.status
	w.framing = ch03.ChooseFraming(code, w.isHead, !w.http10, length)
	switch w.framing {
	case ch03.Chunked:
		w.cw = *ch03.NewChunkedWriter(w.bw)
	case ch03.CloseDelimited:
		// The end of the body is the end of the connection.
		w.closeAfter = true
	}
	switchingProtocols := code == http.StatusSwitchingProtocols
	if !w.keepAlive || switchingProtocols {
		// After a 101 the connection speaks another protocol: if the
		// handler did not hijack it, nobody can, and it must close.
		w.closeAfter = true
	}

	buf := ch03.AppendStatusLine(w.bw.AvailableBuffer(), code)
	if !w.hasDate {
		// RFC 9110 section 6.6.1: an origin server with a clock sends Date.
		buf = append(buf, "Date: "...)
		buf = ch03.AppendDate(buf)
		buf = append(buf, "\r\n"...)
	}
	buf = append(buf, w.block...)
	if ch03.StatusAllowsBody(code) && !w.hasType && len(sniff) > 0 {
		// http.DetectContentType looks at 512 bytes at most and returns
		// one of its own constant strings: no allocation.
		buf = append(buf, "Content-Type: "...)
		buf = append(buf, http.DetectContentType(sniff)...)
		buf = append(buf, "\r\n"...)
	}
	buf = ch03.AppendFramingField(buf, code, w.framing, length)
	switch {
	case switchingProtocols:
		// The handler's "Connection: upgrade" stands (renderHeader).
	case w.closeAfter:
		buf = append(buf, "Connection: close\r\n"...)
	case w.http10:
		// HTTP/1.0 closes by default (RFC 9112 section 9.3): a connection
		// kept open must say so.
		buf = append(buf, "Connection: keep-alive\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	_, err := w.bw.Write(buf)
	return w.fail(err)
}

// commitStreaming writes the head of a body whose length the handler has
// not finished deciding: the buffer overflowed (next is the write that did
// not fit) or the handler flushed. What is in the buffer follows the head
// at once.
func (w *Response) commitStreaming(next []byte) error {
	sniff := w.buf
	if len(sniff) == 0 {
		sniff = next
	}
	if err := w.commit(w.declared, sniff); err != nil {
		return err
	}
	held := w.buf
	w.buf = nil
	_, err := w.writeBody(held)
	return err
}

// writeBody writes body bytes after the head, framed as commit decided.
func (w *Response) writeBody(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	switch w.framing {
	case ch03.NoBody:
		return len(p), nil // HEAD: the bytes GET would carry, dropped
	case ch03.Chunked:
		n, err := w.cw.Write(p)
		return n, w.fail(err)
	default:
		n, err := w.bw.Write(p)
		return n, w.fail(err)
	}
}

// thisPackage is the import path of this package, for relevantCaller.
var thisPackage = reflect.TypeFor[Response]().PkgPath()

// relevantCaller names the first function on the stack outside this
// package and net/http: the handler code that made a call the Response
// complains about ("main.handler (main.go:12)"), as net/http's own
// superfluous-WriteHeader message does. It runs only on that error path.
func relevantCaller() string {
	pc := make([]uintptr, 16)
	n := runtime.Callers(2, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, thisPackage+".") && !strings.HasPrefix(f.Function, "net/http.") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line)
		}
		if !more {
			return "unknown caller"
		}
	}
}
