// Package ch02 is a strict, streaming HTTP/1.1 request parser.
//
// Chapter 1 echoed bytes; this chapter reads them as HTTP. ReadRequest
// consumes exactly one request message from a bufio.Reader: the
// request-line (RFC 9112 section 3), the header section (RFC 9112 section 5,
// RFC 9110 section 5), and a Body reader that frames the message body by
// Content-Length or by the chunked transfer coding (RFC 9112 sections 6
// and 7). It never consumes a byte past the end of the message, so the
// same bufio.Reader can go on to the next request (chapter 5 relies on
// that for keep-alive).
//
// The parser is strict: it answers every input with a request or an error
// that carries the status code a server owes the client (StatusError), and
// where an RFC lets a recipient choose between accepting and rejecting, it
// rejects. In particular it:
//
//   - rejects bare LF line endings everywhere (RFC 9112 section 2.2 allows
//     a recipient to accept them; mixing LF and CRLF is how request
//     smuggling hides a second request, so the safe choice is 400), and
//     bare CR (which RFC 9112 section 2.2 requires to be treated as invalid);
//   - skips at most one empty line before the request-line (RFC 9112
//     section 2.2) and rejects whitespace between the request-line and
//     the first field;
//   - takes exactly one SP between the parts of the request-line, and a
//     request-target in the form its method allows (RFC 9112 section
//     3.2: authority-form for CONNECT only, asterisk-form for OPTIONS
//     only), without control bytes, non-ASCII bytes or a fragment. Finer
//     RFC 3986 character rules are left to the application, because
//     browsers send some of those characters unescaped (|, ^, {, });
//   - rejects obs-fold (RFC 9112 section 5.2), whitespace before a field's
//     colon (RFC 9112 section 5.1), and CTLs in field names and values
//     (RFC 9110 section 5.5; obs-text 0x80-0xFF is allowed in values);
//   - requires exactly one valid Host field in an HTTP/1.1 request (RFC
//     9112 section 3.2);
//   - rejects ambiguous framing: Content-Length and Transfer-Encoding
//     together, Transfer-Encoding in HTTP/1.0, Transfer-Encoding whose
//     last coding is not chunked, and Content-Length values that disagree
//     (RFC 9112 section 6);
//   - rejects a trailer field that belongs in the header section, such as
//     Content-Length or Host (RFC 9110 section 6.5.1);
//   - bounds every read: the request-line, the header section, the number
//     of fields, chunk-size lines, trailers and (when set) each field line
//     and the body.
//
// It refuses a request as soon as the bytes received prove it invalid: a
// second Host or a bad Content-Length on the line that carries it, a long
// request-line once it passes the limit, a too-large body on its
// Content-Length, before reading any of it.
//
// It does not judge what it cannot know: an unknown method is a valid
// token (RFC 9110 section 9.1) and reaches the application, which decides
// whether to answer 501.
//
// The chapter's server (Handler, NewServer) plugs the parser into
// chapter 1's accept loop as a ch01.ConnHandler. It answers each request
// with a JSON dump of what was parsed, or with the error's status, and
// closes the connection (LingerClose, so that a client still sending
// does not lose the reply to a TCP reset). Responses proper are chapter
// 3's subject, so the two reply shapes here are written by a small
// hand-written function.
//
// The parser is written to be read: each line becomes a string and is
// checked as it arrives. Chapter 9's Parser reuses these checks (exported
// as ParseRequestLine, FieldChecker, AppendLine, FixedBody and
// ChunkedReader) to read the same requests with one allocation each.
package ch02
