package ch03

import (
	"net/http"
	"strconv"
)

// Status codes are three digits, and RFC 9110 section 15 defines classes
// only for 100 to 599: "all valid status codes are within the range of 100
// to 599, inclusive". AppendHead refuses anything else.
const (
	minStatusCode = 100
	maxStatusCode = 599
)

// AppendStatusLine appends the status line of an HTTP/1.1 response with the
// given code to dst and returns the extended slice, for example
// "HTTP/1.1 404 Not Found\r\n" (RFC 9112 section 4).
//
// The reason phrase comes from net/http's StatusText, so this package has no
// table of its own to drift from the standard library's. Its phrases are
// the registry's, with four older names kept: 413 "Request Entity Too
// Large", 414 "Request URI Too Long", 416 "Requested Range Not
// Satisfiable" and 422 "Unprocessable Entity", which RFC 9110 renamed
// "Content Too Large", "URI Too Long", "Range Not Satisfiable" and
// "Unprocessable Content". Nothing depends on the words: a client must ignore the reason
// phrase (RFC 9112 section 4), and HTTP/2 dropped it altogether. A code
// StatusText does not know (299, say) gets an empty reason phrase; the
// grammar "HTTP-version SP status-code SP [ reason-phrase ]" keeps the
// second space even then.
//
// The version is always HTTP/1.1, also in reply to an HTTP/1.0 request: a
// server sends the highest minor version it conforms to (RFC 9110 section
// 6.2, RFC 9112 section 2.3), and the client reads it as "this server could
// do more, but answered within what you asked for".
//
// AppendStatusLine does not check code; AppendHead and WriteResponse refuse
// codes outside 100 to 599.
func AppendStatusLine(dst []byte, code int) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ' ')
	dst = append(dst, http.StatusText(code)...)
	return append(dst, "\r\n"...)
}

// validStatusCode reports whether code is in the range RFC 9110 section 15
// allows.
func validStatusCode(code int) bool {
	return code >= minStatusCode && code <= maxStatusCode
}

// StatusAllowsBody reports whether a response with this status code may
// carry content. 1xx, 204 and 304 responses end at the empty line after
// their header section, whatever their headers say (RFC 9112 section 6.3,
// rules 1 and 2; RFC 9110 sections 15.2, 15.3.5 and 15.4.5).
func StatusAllowsBody(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}
