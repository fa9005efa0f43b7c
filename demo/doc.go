// Package demo is the small web app that every stage from chapter 4 on serves.
//
// It is a plain http.Handler built only on the standard library, so the same
// value runs on the course's own servers (ch04 onwards, and final) and on a
// net/http server in benchmarks, and a learner can rebuild it in any
// language: this comment is its contract, and the section "The demo app" of
// chapter 4's lesson (`learn read ch04`) says the same at more length. New
// returns it. The routes, with their exact bodies:
//
//	GET  /               200 "Hello, World!" (no newline)
//	ANY  /echo           200 application/json: the request as the handler sees it,
//	                     {"method","uri","proto","host","headers":{Name:[values]},"body"}
//	GET  /status/{code}  that status (100..999), its reason phrase as body (no newline),
//	                     "status code N" for a code with no reason phrase; see below
//	                     for 1xx, 204, 205 and 304
//	POST /upload         200 {"bytes":N,"sha256":"hex"}, the body hashed as it streams
//	GET  /stream?n=N     200 "line 1\n".."line N\n", flushed one by one, so chunked;
//	                     N in 0..MaxStreamLines, DefaultStreamLines without ?n=
//	GET  /sleep?ms=N     waits N ms (0..60000, required), then 200 "slept N ms" (no
//	                     newline); 503 "503 sleep interrupted\n" if the request's
//	                     context ends first
//	GET  /pid            200, the serving process's id: decimal digits then "\n"
//	GET  /panic          the handler panics with ErrPanic
//
// A route is chosen by r.URL.Path alone (the target's path, percent-decoded,
// without its query), compared exactly: "/echo/" is not "/echo". Text bodies
// are text/plain; charset=utf-8, JSON bodies application/json, and every body
// but /stream's comes with a Content-Length.
//
// /echo's method and uri are the method and request target as received
// (r.RequestURI, query included), its proto "HTTP/1.1" or "HTTP/1.0", its host
// r.Host (an absolute-form target's authority, else the Host field, else ""),
// its headers the header map: canonical names (http.CanonicalHeaderKey), each
// with its values in the order received, Host and Transfer-Encoding left out
// as net/http moves them, {} when empty. Its body is the whole body after
// chunked decoding, as a string (invalid UTF-8 becomes U+FFFD). /upload's
// sha256 is 64 lower-case hex digits.
//
// /status/{code} takes exactly three digits, the first not 0. For 204 and 304
// it writes only the status: no body, no Content-Length (RFC 9112 section 6.3,
// rule 1; RFC 9110 section 8.6). For 205 it sets Content-Length: 0 and writes
// no body. For a 1xx it writes only the status too; on net/http and the
// course's servers a 1xx other than 101 goes out at once as an interim
// response, and the server sends a final 200 with an empty body when the
// handler returns. 101 announces a protocol switch that never comes: the
// checks never ask for it.
//
// Every GET route also answers HEAD exactly as GET: the handler writes the
// same headers and body, and, as with net/http, it is the server's job to
// send no body after a HEAD (RFC 9110 section 9.3.2). The error replies, all
// text/plain with a Content-Length:
//
//	404  a path no route has, any method     "404 page not found\n"
//	405  another method on a GET route       "405 method not allowed\n", Allow: GET, HEAD
//	405  another method on /upload           "405 method not allowed\n", Allow: POST
//	400  a bad {code}                        "400 bad request: status code must be 100..999\n"
//	400  a bad ?n=                           "400 bad request: n must be an integer in 0..10000\n"
//	400  a bad or missing ?ms=               "400 bad request: ms must be an integer in 0..60000\n"
//	400  a body that cannot be read          "400 bad request: cannot read body\n"
//	413  a body over a MaxBytesReader limit  "413 request body too large\n"
//
// The 405s carry the Allow field RFC 9110 section 15.5.6 requires. A number
// is ASCII digits only: "+5", " 5", "0x5", "5ms" and an empty "?n=" are all
// bad; a parameter given twice counts with its first value. A body that cannot
// be read (broken chunked framing, a connection reset, a server's body limit)
// gets 400, except an *http.MaxBytesError, which gets 413 Content Too Large
// (RFC 9110 section 15.5.14). /echo holds the body in memory and so reads at
// most MaxEchoBodyBytes; /upload never holds it. JSON bodies are compact, end
// in "\n", keep '<', '>' and '&' unescaped, and list header names in sorted
// order.
//
// The over-the-wire checks compare status codes, the bodies of /, /sleep and
// /stream, /stream's chunks, the methods of Allow, and the JSON of /echo and
// /upload as JSON values. They leave free what a client must not rely on:
// reason phrases, on status lines and as /status/{code}'s body (any non-empty
// text); the wording of error bodies; JSON spacing, member order and escaping;
// the case of header names and the order of header fields.
//
// A server that serves the app for the checks (`learn check`) is started as
// COMMAND --host 127.0.0.1 --port PORT, plus its stage's flags, and must
// accept connections within 10 seconds.
//
// GET / is the benchmark route: it writes a pre-built body and sets its
// headers from pre-built slices, so the handler itself allocates nothing.
//
// A panic is not recovered here: catching it is the server's job. The
// course's servers answer 500 and carry on. net/http instead logs the panic
// and closes the connection without writing any response; either way the
// process lives on.
package demo
