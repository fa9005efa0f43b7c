// Package demo is the small web app that every stage from chapter 4 on serves.
//
// It is a plain http.Handler built only on the standard library, so the same
// value runs on the course's own servers (ch04 onwards, and final) and on a
// net/http server in benchmarks, and a learner can rebuild it in any
// language. New returns it. The routes, with their exact bodies:
//
//	GET  /               200 "Hello, World!" (no newline)
//	ANY  /echo           200 application/json: the request as the handler sees it,
//	                     {"method","uri","proto","host","headers":{Name:[values]},"body"}
//	GET  /status/{code}  that status (100..999), its reason phrase as body (no newline);
//	                     no body at all for 1xx, 204, 205 and 304
//	POST /upload         200 {"bytes":N,"sha256":"hex"}, the body hashed as it streams
//	GET  /stream?n=N     200 "line 1\n".."line N\n", flushed one by one, so chunked;
//	                     N in 0..MaxStreamLines, DefaultStreamLines without ?n=
//	GET  /sleep?ms=N     waits N ms (0..60000, required), then 200 "slept N ms" (no
//	                     newline); 503 "503 sleep interrupted\n" if the request's
//	                     context ends first
//	GET  /pid            200, the serving process's id: decimal digits then "\n"
//	GET  /panic          the handler panics with ErrPanic
//
// Text bodies are text/plain; charset=utf-8, JSON bodies application/json,
// and every body but /stream's comes with a Content-Length. /echo's uri is the
// request target as received (r.RequestURI), its headers the header map
// with canonical names (net/http moves Host and Transfer-Encoding out of
// it), its body the whole body after chunked decoding.
//
// Every GET route also answers HEAD exactly as GET: the handler writes the
// same headers and body, and, as with net/http, it is the server's job to
// send no body after a HEAD (RFC 9110 section 9.3.2). Any other method on a
// GET route gets 405 with "Allow: GET, HEAD", any other method on /upload
// 405 with "Allow: POST" (RFC 9110 section 15.5.6). An unknown path gets 404.
// A bad number in a path or query is 400. Error replies are short lines
// ending in "\n", net/http style ("404 page not found\n"); JSON bodies are
// compact, end in "\n", keep '<', '>' and '&' unescaped, and list header
// names in sorted order.
//
// A body that cannot be read (broken chunked framing, a connection reset, a
// server's body limit) gets 400, except an *http.MaxBytesError, which gets
// 413 Content Too Large (RFC 9110 section 15.5.14). /echo holds the body in
// memory and so reads at most MaxEchoBodyBytes; /upload never holds it.
//
// GET / is the benchmark route: it writes a pre-built body and sets its
// headers from pre-built slices, so the handler itself allocates nothing.
//
// A panic is not recovered here: catching it is the server's job. The
// course's servers answer 500 and carry on. net/http instead logs the panic
// and closes the connection without writing any response; either way the
// process lives on.
package demo
