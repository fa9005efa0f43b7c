// Package ch03 turns parsed requests into real HTTP/1.1 responses.
//
// Chapter 2 could read a request; this chapter answers it. A response is a
// status line, a header section and, most of the time, a body (RFC 9112
// section 2.1):
//
//	HTTP/1.1 200 OK\r\n
//	Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n
//	Content-Type: text/plain; charset=utf-8\r\n
//	Content-Length: 13\r\n
//	Connection: close\r\n
//	\r\n
//	Hello, World!
//
// The pieces are small append-style functions, so later chapters reuse them
// instead of copying them: AppendStatusLine writes the status line with the
// reason phrase from net/http's StatusText (RFC 9112 section 4);
// AppendHeader refuses a field name that is not a token or a value with a
// control character, the door to response splitting (RFC 9110 section 5.5);
// DateCache keeps the Date value (an IMF-fixdate, RFC 9110 section 5.6.7)
// formatted once per second instead of once per response; AppendHead puts
// them together and decides how the body is framed (RFC 9112 section 6.3):
// Content-Length when the length is known, chunked transfer coding when it
// is not, and no body at all for HEAD, 1xx, 204 and 304. WriteResponse
// writes a whole response whose body is in memory; ChunkedWriter frames a
// body of unknown length (RFC 9112 section 7.1) for chapter 4's handlers.
//
// The server of this chapter (NewServer, Handler) keeps chapter 2's
// parser and every one of its rejections (400, 413, 414, 431, 501, 505) but
// replaces its JSON dump with routes: GET and HEAD on "/" answer
// "Hello, World!", another method on "/" gets 405 with an Allow header
// (RFC 9110 section 15.5.6), any other path gets 404. Every response carries
// "Connection: close" and the server closes after it: one request per
// connection until chapter 5 adds keep-alive. It closes in two steps, as
// RFC 9112 section 9.6 describes: it shuts its sending side, then reads and
// drops what the client still sends for a moment, so a client still
// uploading a refused body gets the response rather than a TCP reset.
// Whatever version the client spoke, the status line says HTTP/1.1, the
// highest version this server conforms to (RFC 9110 section 6.2, RFC 9112
// section 2.3).
package ch03
