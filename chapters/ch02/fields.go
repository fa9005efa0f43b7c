package ch02

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// FieldChecker checks the field lines of one section, the header section
// or a trailer section, in the order they arrive, so that a request is
// refused on the line that proves it invalid: a second Host or a bad
// Content-Length is refused without reading the rest of the head. For
// the header section it gathers what Frame needs. The zero value checks
// a header section with the default field limit.
type FieldChecker struct {
	// MaxFields is the most field lines accepted; more are 431. If zero,
	// DefaultMaxHeaderFields is used.
	MaxFields int
	// Trailer says the section is a trailer section, where the fields
	// that belong in the header section are refused (ErrTrailerField).
	Trailer bool
	// ValidValue checks the bytes of a field value; it must say what
	// ValidFieldValue says. If nil, ValidFieldValue is used. (Chapter 9
	// passes one that checks eight bytes at a time.)
	ValidValue func(string) bool

	fields int   // field lines accepted so far
	hosts  int   // Host fields seen
	haveCL bool  // whether there is a Content-Length
	cl     int64 // its value
	haveTE bool  // whether there is a Transfer-Encoding
}

// Check checks line, the next field line of the section without its CRLF
// (and not the empty line that ends the section), and returns it as a
// Field.
func (fc *FieldChecker) Check(line string) (Field, error) {
	if line != "" && isOWS(line[0]) {
		if fc.first() {
			// RFC 9112 section 2.2: whitespace between the start-line
			// and the first field either hides a field from us that
			// another parser sees, or folds it into the start-line.
			return Field{}, badRequest(ErrLeadingWhitespace, quote(line))
		}
		// RFC 9112 section 5.2: a server MUST reject obs-fold with 400
		// or unfold it; rejecting keeps every field on one line, the
		// way every other parser on the path will see it.
		return Field{}, badRequest(ErrObsFold, quote(line))
	}
	maxFields := cmp.Or(fc.MaxFields, DefaultMaxHeaderFields)
	if fc.fields == maxFields {
		return Field{}, statusError(http.StatusRequestHeaderFieldsTooLarge, ErrHeaderTooLarge,
			"more than "+strconv.Itoa(maxFields)+" fields")
	}
	f, err := fc.parseFieldLine(line)
	if err != nil {
		return Field{}, err
	}
	fc.fields++
	if fc.Trailer {
		if slices.ContainsFunc(notInTrailers[:], func(n string) bool { return equalFold(f.Name, n) }) {
			return Field{}, badRequest(ErrTrailerField, quote(f.Name))
		}
		return f, nil
	}
	return f, fc.add(f)
}

// first reports whether the next line is the first of a header section.
func (fc *FieldChecker) first() bool { return !fc.Trailer && fc.fields == 0 }

// parseFieldLine parses line, a field line without its CRLF:
//
//	field-line = field-name ":" OWS field-value OWS
//
// (RFC 9112 section 5), and returns its name and its value without OWS.
func (fc *FieldChecker) parseFieldLine(line string) (Field, error) {
	// One pass over the name: token bytes up to the colon.
	colon := 0
	for colon < len(line) && chars[line[colon]]&classToken != 0 {
		colon++
	}
	if colon == 0 || colon == len(line) || line[colon] != ':' {
		return Field{}, nameError(line)
	}
	value := trimOWS(line[colon+1:])
	valid := fc.ValidValue
	if valid == nil {
		valid = ValidFieldValue
	}
	if !valid(value) {
		// RFC 9110 section 5.5: field values never hold CR, LF, NUL or
		// another control byte but HTAB; a recipient may keep them only
		// where it is safe, and a value we pass on is not.
		return Field{}, fieldError(line, "invalid byte in field value")
	}
	return Field{Name: line[:colon], Value: value}, nil
}

// trimOWS returns s without leading and trailing OWS.
func trimOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// nameError says what is wrong with the name of a field line whose name
// is not a token followed by a colon.
func nameError(line string) error {
	colon := strings.IndexByte(line, ':')
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
func fieldError(line, why string) error {
	if strings.IndexByte(line, '\r') >= 0 {
		return badRequest(ErrLineEnding, "bare CR in field line "+quote(line))
	}
	return badRequest(ErrFieldLine, why+": "+quote(line))
}

// add notes one header field. It refuses a second Host (RFC 9112 section
// 3.2), an invalid Host value, and a Content-Length that is invalid or
// disagrees with an earlier one (RFC 9112 section 6.3).
func (fc *FieldChecker) add(f Field) error {
	switch {
	case equalFold(f.Name, "host"):
		if fc.hosts++; fc.hosts > 1 {
			return badRequest(ErrHost, "more than one Host field")
		}
		// Host can be empty, when the target has no authority (RFC 9110
		// section 7.2); otherwise it is uri-host [":" port].
		if f.Value != "" && !validHostPort(f.Value, false) {
			return badRequest(ErrHost, "invalid Host "+quote(f.Value))
		}
	case equalFold(f.Name, "content-length"):
		n, err := ParseContentLength(f.Value)
		if err != nil {
			return err
		}
		// Several Content-Length fields are acceptable only if they all
		// say the same.
		if fc.haveCL && n != fc.cl {
			return badRequest(ErrContentLength, "fields disagree")
		}
		fc.haveCL, fc.cl = true, n
	case equalFold(f.Name, "transfer-encoding"):
		fc.haveTE = true
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

// NotInTrailers returns the names, in lower case, of the fields a
// trailer section must not carry (ErrTrailerField).
func NotInTrailers() []string { return slices.Clone(notInTrailers[:]) }
