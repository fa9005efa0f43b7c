package ch02

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// fieldSpan locates one field line in a buffer: the name is
// buf[start:nameEnd], the value (OWS trimmed) buf[valStart:valEnd].
// Offsets, not slices, because the buffer is converted to a string only
// once the whole section is read.
type fieldSpan struct {
	start, nameEnd, valStart, valEnd int
}

// readFields reads field lines from br, appending each to buf and its
// position to spans, up to and including the empty line that ends the
// section (RFC 9112 section 5: the header section, or section 7.1.2: a
// trailer section).
//
// maxBytes bounds the section, CRLFs included; maxFields the number of
// field lines; maxFieldSize, if not 0, each field line with its CRLF.
// Going over any of them is 431.
//
// hs is nil for a trailer section. For the header section, it gathers
// Host and framing fields as they arrive, so a second Host or a bad
// Content-Length is refused on the line that carries it, without reading
// the rest of the head. In a trailer section, a field that has no place
// there is refused the same way.
func readFields(br *bufio.Reader, buf []byte, spans []fieldSpan, maxBytes, maxFields, maxFieldSize int, hs *headerState) ([]byte, []fieldSpan, error) {
	budget := maxBytes
	for {
		start := len(buf)
		// Each line is read up to the tighter of the two byte bounds: what
		// is left of the section, or one field line (never less than the
		// CRLF of the empty line that ends the section, which is no field).
		limit, byField := budget, false
		if maxFieldSize > 0 && maxFieldSize < budget {
			limit, byField = max(maxFieldSize, len("\r\n")), true
		}
		var err error
		buf, err = readLine(br, buf, limit)
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return buf, spans, partialFieldLine(buf[start:], hs != nil && len(spans) == 0)
		case errLineTooLong:
			if byField {
				return buf, spans, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
					"field line over "+strconv.Itoa(maxFieldSize)+" bytes")
			}
			return buf, spans, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
				"over "+strconv.Itoa(maxBytes)+" bytes")
		default:
			return buf, spans, fmt.Errorf("ch02: read field line: %w", err)
		}
		line := buf[start:]
		budget -= len(line)
		if !endsInCRLF(line) {
			return buf, spans, badRequest(ErrLineEnding, "field line ends in a bare LF")
		}
		line = line[:len(line)-2]
		if len(line) == 0 {
			return buf, spans, nil // the empty line: end of the section
		}
		if isOWS(line[0]) {
			if hs != nil && len(spans) == 0 {
				// RFC 9112 section 2.2: whitespace between the start-line
				// and the first field either hides a field from us that
				// another parser sees, or folds it into the start-line.
				return buf, spans, badRequest(ErrLeadingWhitespace, quote(line))
			}
			// RFC 9112 section 5.2: a server MUST reject obs-fold with 400
			// or unfold it; rejecting keeps every field on one line, the
			// way every other parser on the path will see it.
			return buf, spans, badRequest(ErrObsFold, quote(line))
		}
		if len(spans) == maxFields {
			return buf, spans, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
				"more than "+strconv.Itoa(maxFields)+" fields")
		}
		nameEnd, valStart, valEnd, err := parseFieldLine(line)
		if err != nil {
			return buf, spans, err
		}
		if hs != nil {
			if err := hs.add(line[:nameEnd], line[valStart:valEnd]); err != nil {
				return buf, spans, err
			}
		} else if forbiddenInTrailer(line[:nameEnd]) {
			return buf, spans, badRequest(ErrTrailerField, quote(line[:nameEnd]))
		}
		spans = append(spans, fieldSpan{start, start + nameEnd, start + valStart, start + valEnd})
	}
}

// partialFieldLine is the error for a section cut short by EOF inside
// line: ErrTruncated, unless the bytes that did arrive are already
// invalid whatever would have followed, in which case that error, which
// says more. first says line would have been the first field line after
// the request-line.
func partialFieldLine(line []byte, first bool) error {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1] // may be the CR of a CRLF whose LF never came
	}
	switch {
	case len(line) == 0:
	case bytes.IndexByte(line, '\r') >= 0:
		return badRequest(ErrLineEnding, "bare CR in field line "+quote(line))
	case isOWS(line[0]) && first:
		return badRequest(ErrLeadingWhitespace, quote(line))
	case isOWS(line[0]):
		return badRequest(ErrObsFold, quote(line))
	case bytes.IndexByte(line, ':') < 0:
		if !allOf(line, classToken) {
			return fieldError(line, "field name is not a token")
		}
	default:
		if _, _, _, err := parseFieldLine(line); err != nil {
			return err
		}
	}
	return truncated()
}

// headerState is what readFields gathers from the header section for
// checkHost and frame.
type headerState struct {
	hosts  int   // Host fields seen
	haveCL bool  // whether there is a Content-Length
	cl     int64 // its value
	haveTE bool  // whether there is a Transfer-Encoding
}

// add notes one header field. It refuses a second Host (RFC 9112 section
// 3.2), an invalid Host value, and a Content-Length that is invalid or
// disagrees with an earlier one (RFC 9112 section 6.3).
func (hs *headerState) add(name, value []byte) error {
	switch {
	case equalFold(name, "host"):
		if hs.hosts++; hs.hosts > 1 {
			return badRequest(ErrHost, "more than one Host field")
		}
		// Host can be empty, when the target has no authority (RFC 9110
		// section 7.2); otherwise it is uri-host [":" port].
		if len(value) > 0 && !validHostPort(value, false) {
			return badRequest(ErrHost, "invalid Host "+quote(value))
		}
	case equalFold(name, "content-length"):
		n, err := parseContentLength(value)
		if err != nil {
			return err
		}
		// Several Content-Length fields are acceptable only if they all
		// say the same.
		if hs.haveCL && n != hs.cl {
			return badRequest(ErrContentLength, "fields disagree")
		}
		hs.haveCL, hs.cl = true, n
	case equalFold(name, "transfer-encoding"):
		hs.haveTE = true
	}
	return nil
}

// notInTrailers are the fields a trailer section must not carry. RFC 9110
// section 6.5.1: many fields cannot be processed outside the header
// section, because they are needed before the content, such as those for
// message framing, routing, authentication, request modifiers, response
// controls or content format, and a sender MUST NOT put a field in a
// trailer unless its definition allows it. A request that does is broken
// or built to confuse: a proxy that merges trailers into the head would
// see a second Content-Length or Host that we never checked. Dropping
// them would be safe too; refusing tells the client, and leaves no
// trailer a handler could take for the header it replaces. The response
// controls of a response (Age, Expires, Location, Vary...) and its
// challenges (WWW-Authenticate, Set-Cookie) mean nothing in a request,
// header or trailer: they pass.
var notInTrailers = [...]string{
	// Framing (RFC 9112 section 6; RFC 9110 section 6.6.2).
	"content-length", "transfer-encoding", "trailer",
	// Routing (RFC 9110 section 7.2).
	"host",
	// Request modifiers: controls (RFC 9110 sections 7.6.2, 10.1; RFC
	// 9111 section 5.2), conditionals (RFC 9110 section 13.1) and ranges
	// (RFC 9110 section 14.2).
	"cache-control", "expect", "max-forwards", "pragma", "te",
	"if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range", "range",
	// Authentication (RFC 9110 section 11.6; cookies, RFC 6265).
	"authorization", "proxy-authorization", "cookie",
	// Content format (RFC 9110 section 8).
	"content-type", "content-encoding", "content-range",
}

// forbiddenInTrailer reports whether name is one of notInTrailers, in any
// case.
func forbiddenInTrailer(name []byte) bool {
	for _, f := range notInTrailers {
		if equalFold(name, f) {
			return true
		}
	}
	return false
}

// parseFieldLine parses line, a field line without its CRLF:
//
//	field-line = field-name ":" OWS field-value OWS
//
// (RFC 9112 section 5) and returns where the name ends and where the
// value, trimmed of OWS, starts and ends.
func parseFieldLine(line []byte) (nameEnd, valStart, valEnd int, err error) {
	// One pass over the name: token bytes up to the colon.
	colon := 0
	for colon < len(line) && chars[line[colon]]&classToken != 0 {
		colon++
	}
	if colon == 0 || colon == len(line) || line[colon] != ':' {
		return 0, 0, 0, nameError(line)
	}
	valStart, valEnd = trimOWS(line, colon+1, len(line))
	if !validFieldValue(line[valStart:valEnd]) {
		// RFC 9110 section 5.5: field values never hold CR, LF, NUL or
		// another control byte but HTAB; a recipient may keep them only
		// where it is safe, and a value we pass on is not.
		return 0, 0, 0, fieldError(line, "invalid byte in field value")
	}
	return colon, valStart, valEnd, nil
}

// nameError says what is wrong with the name of a field line whose name
// is not a token followed by a colon.
func nameError(line []byte) error {
	colon := bytes.IndexByte(line, ':')
	switch {
	case colon < 0:
		return fieldError(line, "no colon")
	case colon == 0:
		return fieldError(line, "empty field name")
	case isOWS(line[colon-1]):
		// RFC 9112 section 5.1: a server MUST reject whitespace between
		// the name and the colon with 400; "Host : evil" is a different
		// field to a parser that keeps the space.
		return fieldError(line, "whitespace before colon")
	}
	return fieldError(line, "field name is not a token")
}

// fieldError is the error for a malformed field line: ErrLineEnding if it
// holds a bare CR (RFC 9112 section 2.2), ErrFieldLine otherwise.
func fieldError(line []byte, why string) error {
	if bytes.IndexByte(line, '\r') >= 0 {
		return badRequest(ErrLineEnding, "bare CR in field line "+quote(line))
	}
	return badRequest(ErrFieldLine, why+": "+quote(line))
}

// fillFields appends to dst a Field for each span, slicing the names and
// values out of s, the section converted to a string.
func fillFields(dst []Field, s string, spans []fieldSpan) []Field {
	for _, sp := range spans {
		dst = append(dst, Field{Name: s[sp.start:sp.nameEnd], Value: s[sp.valStart:sp.valEnd]})
	}
	return dst
}

// checkHost applies the rest of RFC 9112 section 3.2, once the header
// section is read: a server MUST answer 400 to an HTTP/1.1 request
// without a Host field. (Two Hosts, or an invalid one, were refused as
// they arrived.)
func checkHost(hs *headerState, minor int) error {
	if hs.hosts == 0 && minor >= 1 {
		return badRequest(ErrHost, "HTTP/1.1 request without Host")
	}
	return nil
}
