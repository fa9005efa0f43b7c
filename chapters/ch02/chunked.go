package ch02

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
)

// ChunkedReader is the Body of a chunked request: it decodes the chunked
// transfer coding (RFC 9112 section 7.1):
//
//	chunked-body   = *chunk last-chunk trailer-section CRLF
//	chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	chunk-size     = 1*HEXDIG
//	last-chunk     = 1*("0") [ chunk-ext ] CRLF
//	trailer-section = *( field-line CRLF )
//
// It streams: chunk data goes straight from the bufio.Reader to the
// caller, however large the chunk, and it reads nothing past the final
// CRLF. Chunk extensions are checked and dropped (RFC 9112 section 7.1.1:
// a recipient MUST ignore extensions it does not understand). The
// trailer section is read like a header section, with the same limits,
// and a field that belongs in the header section, such as
// Content-Length or Host, is refused with 400 (RFC 9110 section 6.5.1).
type ChunkedReader struct {
	br  *bufio.Reader
	req *Request // gets the trailer fields at the end
	lim Limits   // with its defaults

	n        int64  // bytes left in the current chunk
	needCRLF bool   // whether the CRLF after chunk data is next
	total    int64  // bytes decoded so far
	overhead int    // chunk-size lines' bytes that say nothing of the size, so far
	err      error  // sticky; io.EOF after the trailer section
	line     []byte // scratch for chunk-size lines, reused
}

// NewChunkedReader returns a ChunkedReader that decodes req's body from
// br within lim, and sets req.Trailer once it has read the trailer.
func NewChunkedReader(br *bufio.Reader, req *Request, lim *Limits) *ChunkedReader {
	cr := new(ChunkedReader)
	cr.Reset(br, req, lim)
	return cr
}

// Reset prepares cr to decode a new chunked body, as NewChunkedReader
// does, keeping its scratch space.
func (cr *ChunkedReader) Reset(br *bufio.Reader, req *Request, lim *Limits) {
	*cr = ChunkedReader{br: br, req: req, lim: lim.WithDefaults(), line: cr.line[:0]}
}

// Read returns decoded chunk data, then io.EOF once the last chunk and
// the trailer section are read.
func (cr *ChunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 && cr.err == nil {
		return 0, nil // do not block on the next chunk-size line for nothing
	}
	for cr.err == nil && cr.n == 0 {
		if cr.needCRLF {
			cr.err = cr.readDataEnd()
			cr.needCRLF = false
		} else {
			cr.err = cr.readChunkSize()
		}
	}
	if cr.err != nil {
		return 0, cr.err
	}
	n, err := cr.br.Read(p[:min(int64(len(p)), cr.n)])
	cr.n -= int64(n)
	cr.needCRLF = cr.n == 0
	switch {
	case err == io.EOF && cr.n > 0:
		cr.err = truncated()
	case err != nil && err != io.EOF:
		cr.err = fmt.Errorf("ch02: read chunk: %w", err)
	}
	if n > 0 {
		return n, nil
	}
	return 0, cr.err
}

// readChunkSize reads a chunk-size line. For the last chunk it goes on to
// read the trailer section and returns io.EOF.
func (cr *ChunkedReader) readChunkSize() error {
	var err error
	cr.line, err = AppendLine(cr.line[:0], cr.br, MaxChunkLine)
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		return truncated()
	case errLineTooLong:
		return badRequest(ErrChunk, "chunk-size line over "+strconv.Itoa(MaxChunkLine)+" bytes")
	default:
		return fmt.Errorf("ch02: read chunk size: %w", err)
	}
	n := len(cr.line)
	if n < 2 || cr.line[n-2] != '\r' {
		return &StatusError{Code: http.StatusBadRequest, Err: fmt.Errorf("%w: %w", ErrChunk, ErrLineEnding)}
	}
	size, digits, err := parseChunkSize(cr.line[:n-2])
	if err != nil {
		return err
	}
	// RFC 9112 section 7.1.1: a server "ought to limit the total length
	// of chunk extensions received in a request". Each line is bounded
	// (MaxChunkLine), but not their number: 4 KiB of extension before
	// each byte of data would make a 1 GiB body cost 4 TiB of parsing.
	// The extensions of a body, and any zeros padding its sizes, get
	// the budget of a header section, MaxHeaderBytes in all.
	// What says nothing of the size: the extension, and the digits beyond
	// 16 (leading zeros, as the size fits in an int64).
	if cr.overhead += max(digits-16, 0) + n - 2 - digits; cr.overhead > cr.lim.MaxHeaderBytes {
		return badRequest(ErrChunk, "chunk extensions over "+strconv.Itoa(cr.lim.MaxHeaderBytes)+" bytes in all")
	}
	if max := cr.lim.MaxBodyBytes; max > 0 && size > max-cr.total {
		// Refuse on the size line, before reading the chunk.
		return statusError(http.StatusRequestEntityTooLarge, ErrBodyTooLarge,
			"chunks over "+strconv.FormatInt(max, 10)+" bytes")
	}
	cr.total += size
	if size > 0 {
		cr.n = size
		return nil
	}
	fc := FieldChecker{MaxFields: cr.lim.MaxHeaderFields, Trailer: true}
	if cr.req.Trailer, err = readFields(cr.br, &cr.lim, &fc); err != nil {
		return err
	}
	return io.EOF
}

// readDataEnd reads the CRLF that ends chunk data. Anything else means the
// chunk-size lied, and the next bytes cannot be trusted as framing.
func (cr *ChunkedReader) readDataEnd() error {
	for _, want := range [2]byte{'\r', '\n'} {
		c, err := cr.br.ReadByte()
		switch {
		case err == io.EOF:
			return truncated()
		case err != nil:
			return fmt.Errorf("ch02: read chunk: %w", err)
		case c != want:
			return badRequest(ErrChunk, "chunk data not followed by CRLF")
		}
	}
	return nil
}

// parseChunkSize parses a chunk-size line without its CRLF: hex digits,
// then chunk extensions; it returns the size and how many digits said it.
// A size that does not fit in int64 is an error,
// never a wrap-around: a parser that wraps reads "10000000000000005" as 5,
// and the bytes after those 5 as the next request.
func parseChunkSize(line []byte) (size int64, digits int, err error) {
	for ; digits < len(line); digits++ {
		d, ok := hexValue(line[digits])
		if !ok {
			break
		}
		if size > math.MaxInt64>>4 {
			return 0, 0, badRequest(ErrChunk, "chunk size overflows int64")
		}
		size = size<<4 | int64(d)
	}
	if digits == 0 {
		return 0, 0, badRequest(ErrChunk, "no chunk size in "+quote(string(line)))
	}
	if !validChunkExt(line[digits:]) {
		return 0, 0, badRequest(ErrChunk, "malformed chunk extension "+quote(string(line[digits:])))
	}
	return size, digits, nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
