package ch02

import (
	"bufio"
	"errors"
	"io"
)

// errLineTooLong is readLine's internal signal that a line went over its
// limit; callers turn it into 414, 431 or 400 depending on the line.
var errLineTooLong = errors.New("ch02: line too long")

// readLine appends the next line from br to dst, up to and including its
// LF, and returns the extended slice. limit bounds the bytes appended, LF
// included: readLine stops with errLineTooLong as soon as the line is over
// it, without waiting for its end, so a peer cannot make it buffer more
// than limit plus one bufio buffer.
//
// It returns io.EOF if the input ended before any byte of the line, and
// io.ErrUnexpectedEOF if it ended inside the line. It does not check the
// line ending: the caller decides what a bare LF means.
//
// bufio.Reader.ReadSlice returns a view of br's buffer, valid only until
// the next read, so the bytes are copied into dst, a scratch buffer the
// caller reuses from one request to the next.
func readLine(br *bufio.Reader, dst []byte, limit int) ([]byte, error) {
	start := len(dst)
	for {
		frag, err := br.ReadSlice('\n')
		dst = append(dst, frag...)
		if len(dst)-start > limit {
			return dst, errLineTooLong
		}
		switch err {
		case nil:
			return dst, nil
		case bufio.ErrBufferFull:
			continue // a line longer than br's buffer: keep appending
		case io.EOF:
			if len(dst) == start {
				return dst, io.EOF
			}
			return dst, io.ErrUnexpectedEOF
		default:
			return dst, err
		}
	}
}

// endsInCRLF reports whether line, as returned by readLine, ends in CRLF.
func endsInCRLF(line []byte) bool {
	n := len(line)
	return n >= 2 && line[n-2] == '\r' && line[n-1] == '\n'
}
