package parsertest

import (
	"fmt"
	"io"
	"strconv"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// writeChunkSize is the largest chunk WriteChunked emits.
const writeChunkSize = 32 << 10 // 32 KiB

// WriteRequest writes r to w in wire form: the request-line with Proto as
// received, the header fields in order, and the body read from r.Body,
// framed as the request was (ContentLength bytes, or chunks followed by
// r.Trailer). Parsing what it wrote gives back the same request, which
// the fuzz targets check; a leading empty line and OWS around values,
// which the parser drops, are not written.
//
// It does not validate r: fields that would not parse are written as
// they are.
func WriteRequest(w io.Writer, r *ch02.Request) error {
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
			return fmt.Errorf("parsertest: write: body is %d bytes, want %d", n, r.ContentLength)
		}
		return err
	}
	return WriteChunked(w, r.Body, r.Trailer)
}

// WriteChunked writes body to w in the chunked coding, ending with the
// trailer fields.
func WriteChunked(w io.Writer, body io.Reader, trailer []ch02.Field) error {
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
	frame = appendFields(frame, trailer)
	frame = append(frame, "\r\n"...)
	_, err := w.Write(frame)
	return err
}

// appendFields appends "Name: Value\r\n" for each field.
func appendFields(buf []byte, fields []ch02.Field) []byte {
	for _, f := range fields {
		buf = append(buf, f.Name...)
		buf = append(buf, ": "...)
		buf = append(buf, f.Value...)
		buf = append(buf, "\r\n"...)
	}
	return buf
}
