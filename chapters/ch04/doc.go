// Package ch04 runs any net/http Handler on the course's own parser and
// response writer: it is Go's counterpart of Python's WSGI.
//
// Chapter 3 answered requests from a fixed switch. This chapter hands them
// to an http.Handler instead, so the whole Go ecosystem (http.ServeMux with
// its Go 1.22 patterns, chi, http.FileServer, the course's demo app) runs
// on code the learner wrote. Two conversions make that possible:
//
//   - NewRequest turns chapter 2's parse (a ch02.Request) into the
//     *http.Request a handler expects: Method, URL parsed from the
//     request-target (RFC 9112 section 3.2), RequestURI, Proto, a Header
//     map with canonical names, Host (from an absolute-form target, else
//     the Host field, RFC 9112 section 3.2.2), ContentLength,
//     TransferEncoding, Close (RFC 9112 section 9.6), a Body that streams
//     the content through chapter 2's framing, and a context.
//
//   - Response is the http.ResponseWriter. It keeps net/http's contract:
//     Header, WriteHeader (the first call wins; 1xx codes such as 103
//     Early Hints go out at once, RFC 9110 section 15.2), Write (an
//     implicit 200), Content-Type sniffed with http.DetectContentType when
//     the handler set none, http.Flusher, http.Hijacker, and the methods
//     http.ResponseController looks for (SetReadDeadline,
//     SetWriteDeadline, EnableFullDuplex). It writes the wire format with
//     chapter 3's pieces: ch03.AppendStatusLine, ch03.AppendDate,
//     ch03.AppendHeader (which refuses response splitting) and
//     ch03.ChunkedWriter.
//
// # Framing a body whose length is not known in advance
//
// A handler writes its body in pieces and never says how long it will be.
// The Response keeps the first ResponseBufferSize bytes in a buffer: if
// the handler returns before that fills, the length is known and the head
// says Content-Length (RFC 9112 section 6.3, rule 6). If the buffer
// overflows or the handler calls Flush, the head must go out before the
// length is known, and the body is sent in the chunked coding (RFC 9112
// section 7.1), or, to an HTTP/1.0 client that cannot decode chunks, as a
// close-delimited body followed by closing the connection (RFC 9112
// section 6.3, rule 8). A handler that sets Content-Length itself is
// believed, and held to it: writing more fails with http.ErrContentLength,
// writing less closes the connection. A HEAD response carries the headers
// GET would get and no body (RFC 9110 section 9.3.2).
//
// # Panics
//
// Serve runs a handler and recovers its panic: if nothing of the response
// has been written yet, the client gets 500 Internal Server Error;
// otherwise the response is cut short and the connection closed, so the
// client sees a broken message rather than a complete wrong one. Either
// way the panic is logged once, with its stack, through Logf, and the
// process carries on. http.ErrAbortHandler cuts the response without a
// log line, as in net/http.
//
// # The client going away
//
// A request's context is cancelled when the handler returns, and also
// when the client closes its connection while the handler runs; then
// context.Cause(ctx) is ErrClientGone. Noticing that takes a read on the
// connection while the handler runs, as net/http's backgroundRead does,
// and a read blocks a goroutine. net/http starts that goroutine for every
// request, and so does this package, once the request body has been read
// to its end, so that it never competes with the handler's reads. (Chapter
// 9 starts it only when a handler asks for the context's Done channel or
// Err, which most handlers never do.)
//
// # The connection
//
// Server plugs all this into chapter 1's accept loop. Like chapter 3, it
// serves one request per connection and says "Connection: close";
// persistent connections are chapter 5. Chapter 5 imports this package and
// replaces only the loop: Conn holds a connection's reusable state (its
// bufio.Reader and Writer, chapter 2's Reader, buffers), Conn.NewRequest
// pairs a request with its Response, Serve runs the handler, Finish ends
// the response without closing the connection, and Response.MustClose
// reports whether the connection can carry another request.
package ch04
