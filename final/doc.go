// Package final is the course's finished server: chapters 1 to 8
// assembled into something you run your own http.Handler on, the way
// Python people run theirs on Gunicorn.
//
// Two ways in. Main(handler) gives a program the whole command line:
//
//	func main() { final.Main(myRouter) }
//
//	./myapp --port 8000 --workers 4 --access-log access.log --tls-cert c.pem --tls-key k.pem
//
// with prefork workers (chapter 6), graceful shutdown on SIGTERM and
// SIGINT (chapter 7), the access log (chapter 8), and Gunicorn's other
// signals: QUIT stops at once, HUP replaces every worker without dropping
// a request, TTIN and TTOU add and remove a worker, USR1 reopens the log
// files. --max-requests recycles a worker after that many requests, and
// --worker-timeout kills and replaces a worker that stops sending its
// heartbeat (a frozen process).
// --limit-request-line, --limit-request-fields and
// --limit-request-field-size are Gunicorn's request limits, with its
// names and defaults.
// Flags can also come from a JSON file (--config); flags given on the
// command line win. The server's log holds errors; the ordinary ends of
// connections (an idle keep-alive connection closed) join them only with
// --log-level debug.
//
// Server is the other way: a type shaped like net/http's Server (Addr,
// Handler, the timeouts, ListenAndServe, Serve, Shutdown), so a program
// that runs net/http can switch with a one-line change.
//
// This package adds only what production needs on top of the chapters:
// configuration, TLS, the whole-request timeouts, a connection limit,
// worker recycling, the worker watchdog and the signal handling;
// everything else is imported.
package final
