package ch02

import (
	"bufio"
	"errors"
	"io"
)

// errLineTooLong is AppendLine's signal that a line went over its limit;
// callers turn it into 414, 431 or 400 depending on the line.
var errLineTooLong = errors.New("ch02: line too long")

// AppendLine appends the next line from br to dst, up to and including
// its LF, and returns the extended slice. limit bounds the bytes
// appended, LF included: it stops with an error as soon as the line is
// over it, without waiting for its end, so a peer cannot make it buffer
// more than limit plus one bufio buffer.
//
// It returns io.EOF if the input ended before any byte of the line, and
// io.ErrUnexpectedEOF if it ended inside the line. It does not check the
// line ending: the caller decides what a bare LF means.
func AppendLine(dst []byte, br *bufio.Reader, limit int) ([]byte, error) {
	start := len(dst)
	for {
		// ReadSlice returns a view of br's buffer, valid only until the
		// next read: the bytes are copied into dst.
		frag, err := br.ReadSlice('\n')
		dst = append(dst, frag...)
		switch {
		case len(dst)-start > limit:
			return dst, errLineTooLong
		case err == bufio.ErrBufferFull:
			continue // a line longer than br's buffer: keep appending
		case err == io.EOF && len(dst) > start:
			return dst, io.ErrUnexpectedEOF
		}
		return dst, err
	}
}

// readLine reads the next line from br as a string, LF included (see
// AppendLine). On error it returns what did arrive of the line.
func readLine(br *bufio.Reader, limit int) (string, error) {
	var scratch [128]byte // most lines fit: the string is the only allocation
	b, err := AppendLine(scratch[:0], br, limit)
	if string(b) == "\r\n" {
		// The empty line that ends a section costs nothing, so a chunked
		// body without a trailer allocates nothing at its end.
		return "\r\n", err
	}
	return string(b), err
}
