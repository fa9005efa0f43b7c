package ch02

import (
	"fmt"
	"io"
	"strconv"
)

// writeChunkSize is the largest chunk Write emits.
const writeChunkSize = 32 << 10 // 32 KiB

// Write writes r to w in wire form: the request-line with Proto as
// received, the header fields in order, and the body read from r.Body,
// framed as the request was (ContentLength bytes, or chunks followed by
// r.Trailer). Parsing what Write wrote gives back the same request, which
// the fuzz test checks; a leading empty line and OWS around values, which
// the parser drops, are not written.
//
// Write does not validate r: fields that would not parse are written as
// they are.
func (r *Request) Write(w io.Writer) error {
	buf := make([]byte, 0, 256)
	buf = append(buf, r.Method...)
	buf = append(buf, ' ')
	buf = append(buf, r.Target...)
	buf = append(buf, ' ')
	buf = append(buf, r.Proto...)
	buf = append(buf, "\r\n"...)
	buf = appendFields(buf, r.Header)
	buf = append(buf, "\r\n"...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	if r.Body == nil {
		return nil
	}
	if !r.Chunked {
		n, err := io.CopyN(w, r.Body, max(r.ContentLength, 0))
		if err == io.EOF {
			return fmt.Errorf("ch02: write: body is %d bytes, want %d", n, r.ContentLength)
		}
		return err
	}
	return writeChunked(w, r.Body, func() []Field { return r.Trailer })
}

// writeChunked writes body to w in the chunked coding, ending with the
// trailer fields that trailer returns once body is exhausted (a parsed
// body knows its trailer only then).
func writeChunked(w io.Writer, body io.Reader, trailer func() []Field) error {
	data := make([]byte, writeChunkSize)
	var frame []byte
	for {
		n, err := body.Read(data)
		if n > 0 {
			frame = strconv.AppendInt(frame[:0], int64(n), 16)
			frame = append(frame, "\r\n"...)
			frame = append(frame, data[:n]...)
			frame = append(frame, "\r\n"...)
			if _, werr := w.Write(frame); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	frame = append(frame[:0], "0\r\n"...)
	frame = appendFields(frame, trailer())
	frame = append(frame, "\r\n"...)
	_, err := w.Write(frame)
	return err
}

// appendFields appends "Name: Value\r\n" for each field.
func appendFields(buf []byte, fields []Field) []byte {
	for _, f := range fields {
		buf = append(buf, f.Name...)
		buf = append(buf, ": "...)
		buf = append(buf, f.Value...)
		buf = append(buf, "\r\n"...)
	}
	return buf
}
