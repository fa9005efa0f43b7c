package ch02

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Sentinel errors. Each parse failure is returned as a *StatusError that
// wraps one of these, so callers test the cause with errors.Is and the
// status to answer with StatusCode.
var (
	// ErrTruncated is returned by ReadRequest and Body reads when the
	// connection ends in the middle of a request. It wraps
	// io.ErrUnexpectedEOF. (A connection that ends before the first byte
	// of a request is not truncated: ReadRequest returns io.EOF.)
	ErrTruncated = fmt.Errorf("ch02: request truncated: %w", io.ErrUnexpectedEOF)

	// ErrLineEnding is returned by ReadRequest when a line ends in a bare
	// LF, or holds a bare CR (RFC 9112 section 2.2).
	ErrLineEnding = errors.New("ch02: line not terminated by CRLF")

	// ErrRequestLine is returned by ReadRequest when the request-line is
	// not method SP request-target SP HTTP-version (RFC 9112 section 3).
	ErrRequestLine = errors.New("ch02: malformed request-line")

	// ErrMethod is returned by ReadRequest when the method is not a token
	// (RFC 9110 section 9.1).
	ErrMethod = errors.New("ch02: malformed method")

	// ErrTarget is returned by ReadRequest when the request-target is in
	// none of the four forms, holds a control character, or uses a form
	// its method does not allow (RFC 9112 section 3.2).
	ErrTarget = errors.New("ch02: malformed request-target")

	// ErrVersion is returned by ReadRequest when the HTTP-version is not
	// "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3).
	ErrVersion = errors.New("ch02: malformed HTTP-version")

	// ErrVersionNotSupported is returned by ReadRequest for a well-formed
	// HTTP-version whose major version is not 1 (RFC 9110 section 15.6.6).
	ErrVersionNotSupported = errors.New("ch02: HTTP version not supported")

	// ErrRequestLineTooLong is returned by ReadRequest when the
	// request-line is longer than Limits.MaxRequestLine.
	ErrRequestLineTooLong = errors.New("ch02: request-line too long")

	// ErrFieldLine is returned by ReadRequest when a field line has no
	// colon, a name that is not a token, whitespace before the colon
	// (RFC 9112 section 5.1), or a value byte RFC 9110 section 5.5 forbids.
	ErrFieldLine = errors.New("ch02: malformed field line")

	// ErrObsFold is returned by ReadRequest when a field value is folded
	// over lines (obs-fold, RFC 9112 section 5.2).
	ErrObsFold = errors.New("ch02: obsolete line folding")

	// ErrLeadingWhitespace is returned by ReadRequest when whitespace
	// follows the request-line, before the first field (RFC 9112
	// section 2.2).
	ErrLeadingWhitespace = errors.New("ch02: whitespace after request-line")

	// ErrHeaderTooLarge is returned by ReadRequest when the header
	// section, or by a Body read when the trailer section, is over
	// Limits.MaxHeaderBytes or Limits.MaxHeaderFields, or one of its
	// field lines is over Limits.MaxFieldSize.
	ErrHeaderTooLarge = errors.New("ch02: header section too large")

	// ErrHost is returned by ReadRequest when an HTTP/1.1 request has no
	// Host field, when any request has more than one, or when its value
	// is not uri-host [":" port] (RFC 9112 section 3.2).
	ErrHost = errors.New("ch02: missing, repeated or invalid Host")

	// ErrContentLength is returned by ReadRequest when a Content-Length
	// value is not all digits, overflows int64, or disagrees with another
	// Content-Length field (RFC 9112 section 6.3).
	ErrContentLength = errors.New("ch02: invalid Content-Length")

	// ErrTransferEncoding is returned by ReadRequest when Transfer-Encoding
	// comes with Content-Length, in an HTTP/1.0 request, or without
	// chunked as its last coding (RFC 9112 sections 6.1 and 6.3).
	ErrTransferEncoding = errors.New("ch02: invalid Transfer-Encoding")

	// ErrUnsupportedCoding is returned by ReadRequest when
	// Transfer-Encoding names a coding other than chunked, which this
	// parser does not implement (RFC 9112 section 6.1: 501).
	ErrUnsupportedCoding = errors.New("ch02: unsupported transfer coding")

	// ErrBodyTooLarge is returned by ReadRequest when Content-Length is
	// over Limits.MaxBodyBytes, and by a Body read when chunked data goes
	// over it.
	ErrBodyTooLarge = errors.New("ch02: body too large")

	// ErrChunk is returned by Body reads when the chunked framing is
	// malformed (RFC 9112 section 7.1).
	ErrChunk = errors.New("ch02: malformed chunked encoding")

	// ErrTrailerField is returned by Body reads when a chunked body's
	// trailer section holds a field that must be in the header section
	// (RFC 9110 section 6.5.1): framing (Content-Length,
	// Transfer-Encoding, Trailer), routing (Host), request modifiers
	// (Expect, conditionals, Range...), authentication (Authorization,
	// Cookie...) or content format (Content-Type...).
	ErrTrailerField = errors.New("ch02: field not allowed in a trailer")
)

// StatusError is a parse failure and the HTTP status a server should
// answer it with. Err wraps one of the package's sentinel errors.
type StatusError struct {
	Code int   // an HTTP status code: 400, 413, 414, 431, 501 or 505
	Err  error // the cause
}

// Error returns the cause's message.
func (e *StatusError) Error() string { return e.Err.Error() }

// Unwrap returns the cause, so errors.Is(err, ErrObsFold) sees through it.
func (e *StatusError) Unwrap() error { return e.Err }

// StatusCode returns the status a server should answer err with: 0 for nil
// and for io.EOF (the client closed an idle connection: there is no one to
// answer), the code of a *StatusError in err's chain, and 400 for any
// other error.
func StatusCode(err error) int {
	if err == nil || err == io.EOF {
		return 0
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return http.StatusBadRequest
}

// badRequest, and the helpers after it, wrap a sentinel with detail.
func badRequest(sentinel error, detail string) error {
	return statusError(http.StatusBadRequest, sentinel, detail)
}

func statusError(code int, sentinel error, detail string) error {
	err := sentinel
	if detail != "" {
		err = fmt.Errorf("%w: %s", sentinel, detail)
	}
	return &StatusError{Code: code, Err: err}
}

// quote renders untrusted bytes for an error message, cut short so a
// hostile request cannot make its error huge.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

// truncated is the error for a request cut short by EOF.
func truncated() error {
	return &StatusError{Code: http.StatusBadRequest, Err: ErrTruncated}
}
