package ch03

import (
	"fmt"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// AppendHeader appends the header field line "name: value\r\n" to dst and
// returns the extended slice (RFC 9112 section 5).
//
// It refuses, with an error wrapping ErrInvalidHeaderName or
// ErrInvalidHeaderValue and dst unchanged, a name that is not a token or a
// value with a control character. This is the guard against response
// splitting: a value such as "x\r\nSet-Cookie: a=b" that came from a request
// would otherwise end the field early and inject a header, or with an empty
// line a whole forged body, into the response (RFC 9110 section 5.5: CR, LF
// and NUL are never allowed in a value; the other controls are refused here
// too, since no well-formed value holds them).
func AppendHeader(dst []byte, name, value string) ([]byte, error) {
	if err := checkField(name, value); err != nil {
		return dst, err
	}
	return appendField(dst, name, value), nil
}

// appendField appends a field line that has already been checked.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// checkField returns an error if name is not a token or value holds a
// control character.
func checkField(name, value string) error {
	if !ch02.ValidToken(name) {
		return fmt.Errorf("%w: %q", ErrInvalidHeaderName, name)
	}
	if !ch02.ValidFieldValue(value) {
		return fmt.Errorf("%w: %q", ErrInvalidHeaderValue, value)
	}
	return nil
}

// checkReserved returns an error wrapping ErrReservedHeader if name is a
// field the writer derives itself: the body's framing (Content-Length,
// Transfer-Encoding; RFC 9112 section 6) and the connection's fate
// (Connection; RFC 9112 section 9.6). Letting a caller set them beside the
// generated ones would send two framings, which is how request smuggling's
// response-side twin starts.
func checkReserved(name string) error {
	if strings.EqualFold(name, "Content-Length") ||
		strings.EqualFold(name, "Transfer-Encoding") ||
		strings.EqualFold(name, "Connection") {
		return fmt.Errorf("%w: %s", ErrReservedHeader, name)
	}
	return nil
}
