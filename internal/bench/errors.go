package bench

import "errors"

// Sentinel errors of the package. A failed request is never an error of
// Run or Compare: it is counted in the Result.
var (
	// ErrBadConfig is returned by Config.Validate, and so by Run, by
	// ParseURL and by Compare when a setting is out of range. The error
	// is a *ConfigError saying which and what is allowed.
	ErrBadConfig = errors.New("bench: bad configuration")
	// ErrMalformed is returned by readResponse when the response does not
	// follow HTTP/1.1 framing: a bad status line, header or chunk.
	ErrMalformed = errors.New("bench: malformed response")
	// ErrTooLarge is returned by readResponse when a line is longer than
	// ReadBufferSize, or there are more than MaxHeaderLines headers.
	ErrTooLarge = errors.New("bench: response line or header section too large")
)
