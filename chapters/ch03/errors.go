package ch03

import (
	"bufio"
	"errors"
	"net/http"

	"github.com/httpfromscratch/course/chapters/ch02"
)

var (
	// ErrBadStatusCode is returned by AppendHead and WriteResponse when the
	// status code is outside 100 to 599 (RFC 9110 section 15).
	ErrBadStatusCode = errors.New("ch03: invalid status code")

	// ErrInvalidHeaderName is returned by AppendHeader, AppendHead,
	// WriteResponse and ChunkedWriter.Close when a field name is not a
	// token (RFC 9110 section 5.1).
	ErrInvalidHeaderName = errors.New("ch03: invalid header field name")

	// ErrInvalidHeaderValue is returned by AppendHeader, AppendHead,
	// WriteResponse and ChunkedWriter.Close when a field value holds a
	// control character such as CR, LF or NUL (RFC 9110 section 5.5).
	ErrInvalidHeaderValue = errors.New("ch03: invalid header field value")

	// ErrReservedHeader is returned by AppendHead, WriteResponse and
	// ChunkedWriter.Close when the caller's fields include one the writer
	// derives itself: Content-Length, Transfer-Encoding or Connection.
	ErrReservedHeader = errors.New("ch03: header field is set by the response writer")

	// ErrBodyNotAllowed is returned by AppendHead and WriteResponse when a
	// body is given for a status that cannot have one: 1xx, 204 or 304
	// (RFC 9112 section 6.3).
	ErrBodyNotAllowed = errors.New("ch03: response status does not allow a body")

	// ErrWriteAfterClose is returned by ChunkedWriter.Write after Close.
	ErrWriteAfterClose = errors.New("ch03: write after close")
)

// WriteError writes the response a request that failed to parse is owed:
// the status ch02.StatusCode gives err (400 for an error without one), a
// short text/plain body with the reason phrase and what was wrong, and
// "Connection: close". After a parse error the server cannot tell where the
// next request would start, so the connection must end with this response
// (RFC 9112 section 9.6); the caller flushes w and closes.
//
// The body quotes a little of the request (ch02 cuts its quotes short), so
// the response also says "X-Content-Type-Options: nosniff", as net/http's
// http.Error does: no browser may guess HTML out of it.
//
// For nil and io.EOF, which owe nobody an answer, it writes nothing.
func WriteError(w *bufio.Writer, err error) error {
	code := ch02.StatusCode(err)
	if code == 0 {
		return nil
	}
	resp := Response{
		StatusCode: code,
		Header:     []ch02.Field{{Name: "X-Content-Type-Options", Value: "nosniff"}},
		Body:       []byte(http.StatusText(code) + ": " + err.Error() + "\n"),
		Close:      true,
	}
	return WriteResponse(w, nil, &resp)
}
