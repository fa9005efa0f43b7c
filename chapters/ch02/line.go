package ch02

import (
	"bufio"
	"bytes"
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
		// Wait for a byte, then take whatever has arrived, up to an LF.
		// (br.ReadSlice would wait for an LF or a full buffer: with a
		// 4 KiB buffer, a line of 8,195 bytes and no more would wait
		// for ever at 8,192, under its limit.) Peek returns a view of
		// br's buffer, valid only until the next read: the bytes are
		// copied into dst.
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				if err == io.EOF && len(dst) > start {
					err = io.ErrUnexpectedEOF
				}
				return dst, err
			}
		}
		frag, _ := br.Peek(br.Buffered())
		end := bytes.IndexByte(frag, '\n') + 1
		if end > 0 {
			frag = frag[:end]
		}
		dst = append(dst, frag...)
		br.Discard(len(frag)) //nolint:errcheck // the bytes are buffered: it cannot fail
		switch {
		case len(dst)-start > limit:
			return dst, errLineTooLong
		case end > 0:
			return dst, nil
		}
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
