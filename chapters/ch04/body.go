package ch04

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

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

	// mu is held by Read for as long as it reads, and by Close. The
	// handler may leave a goroutine behind that still reads the body
	// after the handler returned (http.TimeoutHandler's inner handler
	// does): Close, from the server's goroutine, waits for that Read, and
	// no Read reaches the connection after it.
	mu     sync.Mutex
	closed bool
	sawEOF bool
}

// Read reads the content. It passes chapter 2's errors through unchanged,
// so errors.As finds the *ch02.StatusError and its status (400 for broken
// chunked framing or a body cut short). A body over the parser's limit
// fails with an error that is both chapter 2's 413 and an
// *http.MaxBytesError, the error net/http's own limit gives, which
// handlers already know to answer 413 (RFC 9110 section 15.5.14).
func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
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

// Close makes later reads fail with http.ErrBodyReadAfterClose, once a
// Read in progress has returned. It does not read what is left: whether
// the rest of the body must be read (to reach the next request) or the
// connection closed is the connection loop's decision, not the handler's.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closeLocked()
	return nil
}

// closeLocked closes the body; b.mu is held. It lets go of the
// connection's reader and parser as hitEOF does: a handler that keeps its
// request must not keep them, read to the end or not.
func (b *body) closeLocked() {
	b.closed = true
	b.src, b.pr, b.rc = nil, nil, nil
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
