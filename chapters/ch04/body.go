package ch04

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// body is the Body of a request with content. It streams chapter 2's body
// reader, which frames the content by Content-Length or decodes its
// chunks, and adds what a handler expects of an http.Request's Body:
// Close, the trailer fields in r.Trailer at the end, and a
// *http.MaxBytesError for a body over the limit.
type body struct {
	src     io.Reader      // chapter 2's Body: framed, never reads past the message
	pr      *ch02.Request  // where chapter 2 leaves the trailer fields at EOF
	req     *http.Request  // where the handler looks for them
	rc      RequestContext // told at EOF, so it may start watching the client; may be nil
	maxBody int64          // the parser's body limit, for *http.MaxBytesError

	// remaining counts down a Content-Length body, so the end is known
	// as soon as its last byte is read: a handler that reads exactly
	// Content-Length bytes (io.ReadFull) never asks for the EOF after
	// them. -1 for a chunked body, whose end only the parser sees.
	remaining int64

	// closed is set by Close, which may come from the server's goroutine
	// once the handler returned while a goroutine the handler left behind
	// still reads: it must not race with Read.
	closed atomic.Bool
	sawEOF bool
}

// Read reads the content. It passes chapter 2's errors through unchanged,
// so errors.As finds the *ch02.StatusError and its status (400 for broken
// chunked framing or a body cut short). A body over the parser's limit
// fails with an error that is both chapter 2's 413 and an
// *http.MaxBytesError, the error net/http's own limit gives, which
// handlers already know to answer 413 (RFC 9110 section 15.5.14).
func (b *body) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.sawEOF {
		return 0, io.EOF
	}
	n, err := b.src.Read(p)
	if b.remaining > 0 {
		b.remaining -= int64(n)
	}
	switch {
	case err == io.EOF, err == nil && b.remaining == 0:
		b.hitEOF()
	case err != nil && errors.Is(err, ch02.ErrBodyTooLarge):
		err = fmt.Errorf("%w: %w", err, &http.MaxBytesError{Limit: b.maxBody})
	}
	return n, err
}

// hitEOF records the end of the body: the trailer fields are in, and the
// connection is free for a watch on the client.
func (b *body) hitEOF() {
	b.sawEOF = true
	b.copyTrailer()
	if b.rc != nil {
		b.rc.BodyDone()
	}
	// Let go of the connection's reader and parser: a handler that keeps
	// the request must not keep them, and every later Read says io.EOF.
	b.src, b.pr = nil, nil
}

// Close makes later reads fail with http.ErrBodyReadAfterClose. It does
// not read what is left: whether the rest of the body must be read (to
// reach the next request) or the connection closed is the connection
// loop's decision, not the handler's.
func (b *body) Close() error {
	b.closed.Store(true)
	return nil
}

// copyTrailer copies a chunked body's trailer fields, which chapter 2 has
// just parsed, into r.Trailer (RFC 9112 section 7.1.2), with canonical
// names as in the header map.
func (b *body) copyTrailer() {
	if len(b.pr.Trailer) == 0 {
		return
	}
	if b.req.Trailer == nil {
		b.req.Trailer = make(http.Header, len(b.pr.Trailer))
	}
	for _, f := range b.pr.Trailer {
		k := http.CanonicalHeaderKey(f.Name)
		b.req.Trailer[k] = append(b.req.Trailer[k], f.Value)
	}
}
