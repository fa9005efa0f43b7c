package ch02

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
)

// chunkState is where a chunkedReader is in the chunked grammar.
type chunkState uint8

const (
	chunkSize    chunkState = iota // next: a chunk-size line
	chunkData                      // inside chunk data, n bytes left
	chunkDataEnd                   // next: the CRLF after chunk data
)

// chunkedReader decodes the chunked transfer coding (RFC 9112 section 7.1):
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
// a recipient MUST ignore extensions it does not understand). A trailer
// field that belongs in the header section, such as Content-Length or
// Host, is refused with 400 (RFC 9110 section 6.5.1).
type chunkedReader struct {
	br               *bufio.Reader
	maxBody          int64 // 0: no limit
	maxTrailerBytes  int
	maxTrailerFields int
	maxFieldSize     int // 0: no limit but maxTrailerBytes; set after reset

	state chunkState
	n     int64 // bytes left in the current chunk
	total int64 // bytes decoded so far
	err   error // sticky; io.EOF after the trailer section

	line    []byte      // scratch: chunk-size lines, then the trailer section
	spans   []fieldSpan // trailer field positions in line
	trailer []Field     // the trailer fields, once err is io.EOF
}

// reset prepares cr to decode a new chunked body from br, keeping its
// scratch buffers.
func (cr *chunkedReader) reset(br *bufio.Reader, maxBody int64, maxTrailerBytes, maxTrailerFields int) {
	if cap(cr.line) > keepBuffer {
		cr.line = nil // grown by a large trailer section: let it go
	}
	*cr = chunkedReader{
		br: br, maxBody: maxBody,
		maxTrailerBytes: maxTrailerBytes, maxTrailerFields: maxTrailerFields,
		line: cr.line[:0], spans: cr.spans[:0],
	}
}

// Read returns decoded chunk data, then io.EOF once the last chunk and
// the trailer section are read.
func (cr *chunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 && cr.err == nil {
		return 0, nil // do not block on the next chunk-size line for nothing
	}
	for cr.err == nil {
		switch cr.state {
		case chunkSize:
			cr.err = cr.readChunkSize()
		case chunkDataEnd:
			cr.err = cr.readDataEnd()
			cr.state = chunkSize
		case chunkData:
			n, err := cr.br.Read(p[:min(int64(len(p)), cr.n)])
			cr.n -= int64(n)
			if cr.n == 0 {
				cr.state = chunkDataEnd
			}
			switch {
			case err == io.EOF && cr.n > 0:
				cr.err = truncated()
			case err != nil && err != io.EOF:
				cr.err = fmt.Errorf("ch02: read chunk: %w", err)
			}
			if n > 0 {
				return n, nil
			}
		}
	}
	return 0, cr.err
}

// readChunkSize reads a chunk-size line. For the last chunk it goes on to
// read the trailer section and returns io.EOF.
func (cr *chunkedReader) readChunkSize() error {
	var err error
	cr.line, err = readLine(cr.br, cr.line[:0], maxChunkLine)
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		return truncated()
	case errLineTooLong:
		return badRequest(ErrChunk, "chunk-size line over "+strconv.Itoa(maxChunkLine)+" bytes")
	default:
		return fmt.Errorf("ch02: read chunk size: %w", err)
	}
	if !endsInCRLF(cr.line) {
		return &StatusError{Code: http.StatusBadRequest, Err: fmt.Errorf("%w: %w", ErrChunk, ErrLineEnding)}
	}
	size, err := parseChunkSize(cr.line[:len(cr.line)-2])
	if err != nil {
		return err
	}
	if cr.maxBody > 0 && size > cr.maxBody-cr.total {
		// Refuse on the size line, before reading the chunk.
		return statusError(http.StatusRequestEntityTooLarge, ErrBodyTooLarge,
			"chunks over "+strconv.FormatInt(cr.maxBody, 10)+" bytes")
	}
	cr.total += size
	if size > 0 {
		cr.state, cr.n = chunkData, size
		return nil
	}
	// A trailer section is read like a header section, with the same
	// limits, and refuses the fields that belong in the header
	// (ErrTrailerField).
	cr.line, cr.spans, err = readFields(cr.br, cr.line[:0], cr.spans[:0], cr.maxTrailerBytes, cr.maxTrailerFields, cr.maxFieldSize, nil)
	if err != nil {
		return err
	}
	if len(cr.spans) > 0 {
		cr.trailer = fillFields(nil, string(cr.line), cr.spans)
	}
	return io.EOF
}

// readDataEnd reads the CRLF that ends chunk data. Anything else means the
// chunk-size lied, and the next bytes cannot be trusted as framing.
func (cr *chunkedReader) readDataEnd() error {
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
// then chunk extensions. A size that does not fit in int64 is an error,
// never a wrap-around: a parser that wraps reads "10000000000000005" as 5,
// and the bytes after those 5 as the next request.
func parseChunkSize(line []byte) (int64, error) {
	var n int64
	i := 0
	for ; i < len(line); i++ {
		d, ok := hexValue(line[i])
		if !ok {
			break
		}
		if n > math.MaxInt64>>4 {
			return 0, badRequest(ErrChunk, "chunk size overflows int64")
		}
		n = n<<4 | int64(d)
	}
	if i == 0 {
		return 0, badRequest(ErrChunk, "no chunk size in "+quote(line))
	}
	if !validChunkExt(line[i:]) {
		return 0, badRequest(ErrChunk, "malformed chunk extension "+quote(line[i:]))
	}
	return n, nil
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

// validChunkExt reports whether b is a valid chunk-ext (RFC 9112 section
// 7.1.1):
//
//	chunk-ext     = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
//
// Whitespace is allowed around ";" and "=" (BWS), but not at the end of
// the line: "5 \r\n" is not a chunk-size line.
func validChunkExt(b []byte) bool {
	i := 0
	skipBWS := func() {
		for i < len(b) && isOWS(b[i]) {
			i++
		}
	}
	for i < len(b) {
		skipBWS()
		if i == len(b) || b[i] != ';' {
			return false
		}
		i++
		skipBWS()
		if i = skipToken(b, i); i < 0 {
			return false
		}
		j := i // after the name: "=" may follow, after BWS
		skipBWS()
		if i == len(b) || b[i] != '=' {
			i = j
			continue
		}
		i++
		skipBWS()
		if i < len(b) && b[i] == '"' {
			i = skipQuoted(b, i)
		} else {
			i = skipToken(b, i)
		}
		if i < 0 {
			return false
		}
	}
	return true
}

// skipToken returns the index after the token starting at b[i], or -1 if
// none starts there.
func skipToken(b []byte, i int) int {
	j := i
	for j < len(b) && chars[b[j]]&classToken != 0 {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// skipQuoted returns the index after the quoted-string starting at b[i]
// (RFC 9110 section 5.6.4), or -1 if it is malformed or unterminated.
func skipQuoted(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
			if i++; i == len(b) || chars[b[i]]&classValue == 0 {
				return -1
			}
		case chars[c]&classQdtext == 0:
			return -1
		}
	}
	return -1
}
