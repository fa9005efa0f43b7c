package ch03

import (
	"fmt"
	"io"
	"strconv"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// A ChunkedWriter frames a body of unknown length in the chunked transfer
// coding (RFC 9112 section 7.1): each Write becomes one chunk, its size in
// hexadecimal on a line of its own, then the bytes, then CRLF:
//
//	5\r\nHello\r\n
//	8\r\n, World!\r\n
//	0\r\n\r\n        <- Close: the last chunk, no trailers, the final CRLF
//
// A server uses it when the head was written before the body was complete
// (AppendHead returned Chunked), as chapter 4 does for a handler that
// flushes or writes more than its buffer holds. Each Write makes three
// small writes to the underlying writer, so give it a *bufio.Writer.
//
// Close does not close the underlying writer, only the body: the
// connection may carry more responses.
type ChunkedWriter struct {
	// Trailer holds fields Close sends after the last chunk (RFC 9112
	// section 7.1.2), such as a checksum only known at the end. Announce
	// their names in a Trailer header field of the response head (RFC
	// 9110 section 6.6.2). Fields that frame the message or steer the
	// connection are refused with ErrReservedHeader.
	Trailer []ch02.Field

	w      io.Writer
	closed bool
	size   [18]byte // chunk-size line: up to 16 hex digits and CRLF
}

// NewChunkedWriter returns a ChunkedWriter that writes chunks to w.
func NewChunkedWriter(w io.Writer) *ChunkedWriter {
	return &ChunkedWriter{w: w}
}

// Write writes p as one chunk. An empty p writes nothing: a chunk of size
// zero is the last chunk, so writing one here would end the body early,
// and the client would take whatever follows for the next response.
func (cw *ChunkedWriter) Write(p []byte) (int, error) {
	if cw.closed {
		return 0, ErrWriteAfterClose
	}
	if len(p) == 0 {
		return 0, nil
	}
	line := strconv.AppendUint(cw.size[:0], uint64(len(p)), 16)
	line = append(line, "\r\n"...)
	if _, err := cw.w.Write(line); err != nil {
		return 0, fmt.Errorf("ch03: write chunk: %w", err)
	}
	n, err := cw.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("ch03: write chunk: %w", err)
	}
	if _, err := io.WriteString(cw.w, "\r\n"); err != nil {
		return n, fmt.Errorf("ch03: write chunk: %w", err)
	}
	return n, nil
}

// Close ends the body: it writes the last chunk "0\r\n", the Trailer
// fields, and the empty line that ends the message. Later calls do nothing
// and return nil.
//
// The trailer fields are checked first; if one is refused, Close writes
// nothing and returns the error, leaving the body unterminated: the caller
// must then close the connection, since the client cannot tell where this
// response ends.
func (cw *ChunkedWriter) Close() error {
	if cw.closed {
		return nil
	}
	for _, f := range cw.Trailer {
		if err := checkField(f.Name, f.Value); err != nil {
			return err
		}
		if err := checkReserved(f.Name); err != nil {
			return err
		}
	}
	cw.closed = true
	if len(cw.Trailer) == 0 {
		if _, err := io.WriteString(cw.w, "0\r\n\r\n"); err != nil {
			return fmt.Errorf("ch03: write last chunk: %w", err)
		}
		return nil
	}
	buf := append(cw.size[:0], "0\r\n"...)
	for _, f := range cw.Trailer {
		buf = appendField(buf, f.Name, f.Value)
	}
	buf = append(buf, "\r\n"...)
	if _, err := cw.w.Write(buf); err != nil {
		return fmt.Errorf("ch03: write last chunk: %w", err)
	}
	return nil
}
