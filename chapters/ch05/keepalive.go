package ch05

// persistence holds everything that decides whether a connection carries
// another request after the current one. It is filled in two steps:
// before the handler runs, with what the request and the server say;
// after, with what the response and the body did.
type persistence struct {
	// clientClose is the request's http.Request.Close, as chapter 4 sets
	// it from the version and the Connection field (RFC 9112 section 9.3):
	// an HTTP/1.1 request listing "close", or an HTTP/1.0 request not
	// listing "keep-alive".
	clientClose bool

	// disabled reports that keep-alives are off (SetKeepAlivesEnabled).
	disabled bool

	// served counts the requests read on the connection, this one
	// included; max is MaxRequestsPerConn (0 or less: no limit).
	served, max int

	// responseClose is the Response's MustClose: the handler's own
	// "Connection: close", a body framed by closing the connection (an
	// HTTP/1.0 client and no length), a body shorter than its
	// Content-Length, a response cut short by a panic, a failed write.
	responseClose bool

	// bodyLeft reports that the request body was not read to its end,
	// by the handler or by draining: where the next request starts is
	// unknown (RFC 9112 section 9.3: a connection is reused only after
	// the whole message was read).
	bodyLeft bool
}

// keepAlive reports whether the connection may be read for another
// request after this one (RFC 9112 section 9.3). Every reason to close
// is a reason on its own; the connection persists only when none holds.
// Before the handler runs, the response fields are still false and the
// answer is what the response head should say; after, it is final.
func keepAlive(p persistence) bool {
	switch {
	case p.clientClose, p.disabled, p.responseClose, p.bodyLeft:
		return false
	case p.max > 0 && p.served >= p.max:
		return false // the last request allowed: say so in its response
	}
	return true
}
