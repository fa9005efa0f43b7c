package ch03

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// DefaultContentType is the Content-Type AppendHead sends for a response
// with content when the caller's Header has none. A sender of content
// should say what it is (RFC 9110 section 8.3); without a type a client may
// guess ("sniff"), and guessing HTML out of user data is how stored text
// turns into script.
const DefaultContentType = "text/plain; charset=utf-8"

// UnknownLength, as AppendHead's length, says the body's length is not
// known when the head is written: AppendHead then chooses chunked framing,
// or reading until close for an HTTP/1.0 client.
const UnknownLength = -1

// A Response is what a server sends back: a status, header fields and a body.
//
// The fields the framing and the connection depend on are not in Header:
// AppendHead derives Content-Length or Transfer-Encoding from the body and
// Connection from Close, so that no caller can send two contradicting
// framings. Header slices are written in order, as given, with no map and no
// sorting, so writing a Response does not allocate.
type Response struct {
	// StatusCode is the status, 100 to 599 (RFC 9110 section 15).
	// If zero, 200 is used, as net/http's ResponseWriter does.
	StatusCode int

	// Header holds the fields written after the generated ones (Date,
	// Content-Type, Content-Length or Transfer-Encoding, Connection), in
	// order. A Date or Content-Type here replaces the generated one.
	// Content-Length, Transfer-Encoding and Connection are refused with
	// ErrReservedHeader.
	Header []ch02.Field

	// Body is the whole content. WriteResponse sends it with a
	// Content-Length, and leaves it out in reply to HEAD while keeping the
	// headers a GET would get (RFC 9110 section 9.3.2).
	Body []byte

	// Close asks for "Connection: close": the server closes the connection
	// after this response (RFC 9112 section 9.6). Chapter 3 always sets it;
	// chapter 5 decides per request.
	Close bool
}

// Framing says how the body after a response head is delimited, the
// response side of RFC 9112 section 6.3.
type Framing uint8

const (
	// NoBody: nothing follows the head. The request was HEAD, or the
	// status is 1xx, 204 or 304 (RFC 9112 section 6.3, rule 1).
	NoBody Framing = iota
	// LengthDelimited: exactly Content-Length bytes follow (rule 6).
	LengthDelimited
	// Chunked: the body follows in chunked transfer coding; write it
	// through a ChunkedWriter (rule 4, RFC 9112 section 7.1).
	Chunked
	// CloseDelimited: the body runs until the server closes the
	// connection (rule 8). AppendHead picks it only for an HTTP/1.0
	// client, which cannot decode chunked, when the length is unknown; it
	// has then written "Connection: close", and the caller must close the
	// connection after the body.
	CloseDelimited
)

// String returns the framing's name, for logs and test failures.
func (f Framing) String() string {
	switch f {
	case NoBody:
		return "NoBody"
	case LengthDelimited:
		return "LengthDelimited"
	case Chunked:
		return "Chunked"
	case CloseDelimited:
		return "CloseDelimited"
	}
	return "Framing(" + strconv.Itoa(int(f)) + ")"
}

// ChooseFraming decides how the body of a response with status code is
// delimited (RFC 9112 section 6.3, the response side): NoBody for a status
// without content (1xx, 204, 304) or a reply to HEAD; LengthDelimited when
// length, the body's length in bytes, is known (not negative); otherwise
// Chunked for a client that speaks HTTP/1.1, and CloseDelimited for an
// HTTP/1.0 one, which cannot decode chunks (RFC 9112 section 6.1 forbids
// sending it Transfer-Encoding).
func ChooseFraming(code int, head, http11 bool, length int64) Framing {
	switch {
	case !StatusAllowsBody(code) || head:
		return NoBody
	case length >= 0:
		return LengthDelimited
	case http11:
		return Chunked
	}
	return CloseDelimited
}

// AppendFramingField appends the field that frames the body ChooseFraming
// chose: Content-Length when length is known, also in reply to HEAD (the
// length GET would have, RFC 9110 section 9.3.2), or "Transfer-Encoding:
// chunked". A status without content gets neither (RFC 9110 section 8.6),
// and neither does a HEAD of unknown length: RFC 9112 section 6.1 lets a
// server leave Transfer-Encoding out of it.
func AppendFramingField(dst []byte, code int, framing Framing, length int64) []byte {
	switch {
	case !StatusAllowsBody(code):
	case length >= 0:
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, length, 10)
		dst = append(dst, "\r\n"...)
	case framing == Chunked:
		dst = appendField(dst, "Transfer-Encoding", "chunked")
	}
	return dst
}

// AppendHead appends resp's status line and header section, up to and
// including the empty line, to dst, and returns the extended slice and how
// the caller must frame the body it writes next. resp.Body is not used:
// length is the body's length in bytes, or UnknownLength (any negative
// value) when the caller will stream it.
//
// req is the request being answered; nil stands for one that could not be
// parsed, answered as HTTP/1.1. For a HEAD request the head is the one a
// GET would get, Content-Length included when length is known, and the
// framing is NoBody.
//
// The fields come in a fixed order: Date (from the package's DateCache),
// Content-Type (DefaultContentType when there is content and Header has
// none), Content-Length or Transfer-Encoding, Connection, then Header in
// its order. Connection is "close" when resp.Close is set or the body is
// CloseDelimited, "keep-alive" for an HTTP/1.0 client otherwise (which
// would close without it, RFC 9112 section 9.3), and absent otherwise.
// 1xx and 204 responses never carry Content-Length (RFC 9110 section 8.6);
// 304 leaves it out too, as it may.
//
// Everything is checked before anything is appended: on error dst is
// returned unchanged, so a bad header cannot leave half a response behind.
func AppendHead(dst []byte, req *ch02.Request, resp *Response, length int64) ([]byte, Framing, error) {
	code := resp.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	if !validStatusCode(code) {
		return dst, NoBody, fmt.Errorf("%w: %d", ErrBadStatusCode, code)
	}
	content := StatusAllowsBody(code)
	if !content && length > 0 {
		return dst, NoBody, fmt.Errorf("%w: %d", ErrBodyNotAllowed, code)
	}
	hasDate, hasType := false, false
	for _, f := range resp.Header {
		if err := checkField(f.Name, f.Value); err != nil {
			return dst, NoBody, err
		}
		if err := checkReserved(f.Name); err != nil {
			return dst, NoBody, err
		}
		hasDate = hasDate || strings.EqualFold(f.Name, "Date")
		hasType = hasType || strings.EqualFold(f.Name, "Content-Type")
	}

	head := req != nil && req.Method == http.MethodHead
	framing := ChooseFraming(code, head, speaks11(req), length)

	dst = AppendStatusLine(dst, code)
	if !hasDate {
		// RFC 9110 section 6.6.1: an origin server with a clock sends Date.
		dst = append(dst, "Date: "...)
		dst = dates.AppendDate(dst)
		dst = append(dst, "\r\n"...)
	}
	if content && length != 0 && !hasType {
		dst = appendField(dst, "Content-Type", DefaultContentType)
	}
	dst = AppendFramingField(dst, code, framing, length)
	switch {
	case resp.Close || framing == CloseDelimited:
		dst = appendField(dst, "Connection", "close")
	case !speaks11(req):
		dst = appendField(dst, "Connection", "keep-alive")
	}
	for _, f := range resp.Header {
		dst = appendField(dst, f.Name, f.Value)
	}
	return append(dst, "\r\n"...), framing, nil
}

// WriteResponse writes resp to w whole: the head from AppendHead with
// Content-Length set to len(resp.Body), then the body, unless req is HEAD.
// It does not flush w, so a caller can batch several responses into one
// write (chapter 5's pipelining does).
//
// The head is built directly in w's free buffer space (bufio's
// AvailableBuffer) and checked before any byte is written: a response that
// fits the buffer costs no allocation, and a refused one writes nothing.
func WriteResponse(w *bufio.Writer, req *ch02.Request, resp *Response) error {
	buf, framing, err := AppendHead(w.AvailableBuffer(), req, resp, int64(len(resp.Body)))
	if err != nil {
		return err
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("ch03: write response: %w", err)
	}
	if framing == LengthDelimited {
		if _, err := w.Write(resp.Body); err != nil {
			return fmt.Errorf("ch03: write response: %w", err)
		}
	}
	return nil
}

// speaks11 reports whether the client speaks HTTP/1.1 or later, and so
// decodes chunked bodies (RFC 9112 section 7) and keeps connections open
// unless told otherwise (section 9.3). A nil request, one that failed to
// parse, is answered as HTTP/1.1.
func speaks11(req *ch02.Request) bool {
	return req == nil || req.ProtoMajor > 1 || (req.ProtoMajor == 1 && req.ProtoMinor >= 1)
}
