package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits of the response reader. A response that breaks one is counted as
// an error: the bench measures servers that answer its small GETs, not
// every response HTTP allows.
const (
	// ReadBufferSize is the size of each connection's read buffer in
	// bytes, 32 KiB: it bounds the status line and every header line, and
	// body bytes pass through it on their way to being discarded.
	ReadBufferSize = 32 << 10
	// MaxHeaderLines is the most header and trailer lines one response
	// may have.
	MaxHeaderLines = 128
	// MaxInterim is the most 1xx interim responses accepted before the
	// final one (RFC 9110 section 15.2).
	MaxInterim = 8
)

// response is what the bench needs to know of one response: its status,
// and whether the connection may carry another request.
type response struct {
	status int
	// close reports that the server ends the connection after this
	// response: it said "Connection: close", spoke HTTP/1.0 without
	// keep-alive, or delimited the body by closing (RFC 9112 section 9.6).
	close bool
}

// Header names the reader looks at, lower case for an ASCII fold compare.
var (
	headerContentLength    = []byte("content-length")
	headerTransferEncoding = []byte("transfer-encoding")
	headerConnection       = []byte("connection")
	tokenChunked           = []byte("chunked")
	tokenClose             = []byte("close")
	tokenKeepAlive         = []byte("keep-alive")
)

// readResponse reads one response to a GET from br and discards its body,
// without allocating: every line is a slice of br's buffer, and body bytes
// go through that buffer too. It skips 1xx interim responses. Its errors
// wrap ErrMalformed, ErrTooLarge or the read error (io.EOF when the server
// closed before a response began, io.ErrUnexpectedEOF when it closed in
// the middle of one).
func readResponse(br *bufio.Reader) (response, error) {
	for range MaxInterim + 1 {
		resp, interim, err := readOne(br)
		if err != nil || !interim {
			return resp, err
		}
	}
	return response{}, fmt.Errorf("%w: more than %d interim responses", ErrMalformed, MaxInterim)
}

// readOne reads one response, interim or final.
func readOne(br *bufio.Reader) (resp response, interim bool, err error) {
	line, err := readLine(br)
	if err != nil {
		return resp, false, err // io.EOF here means no response began
	}
	minor, status, ok := parseStatusLine(line)
	if !ok {
		return resp, false, fmt.Errorf("%w: status line %q", ErrMalformed, line)
	}
	resp.status = status
	// RFC 9112 section 9.3: HTTP/1.1 persists by default, HTTP/1.0 only
	// when the server says keep-alive.
	keepAlive := minor >= 1
	contentLength := int64(-1)
	chunked := false
	for n := 0; ; n++ {
		line, err := readLine(br)
		if err != nil {
			return resp, false, unexpected(err)
		}
		if len(line) == 0 {
			break
		}
		if n == MaxHeaderLines {
			return resp, false, fmt.Errorf("%w: more than %d header lines", ErrTooLarge, MaxHeaderLines)
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return resp, false, fmt.Errorf("%w: header line %q", ErrMalformed, line)
		}
		value = bytes.Trim(value, ows)
		switch {
		case equalFold(name, headerContentLength):
			cl, ok := parseDecimal(value)
			// RFC 9112 section 6.3 item 5: differing lengths are an
			// unrecoverable framing error.
			if !ok || (contentLength >= 0 && cl != contentLength) {
				return resp, false, fmt.Errorf("%w: Content-Length %q", ErrMalformed, value)
			}
			contentLength = cl
		case equalFold(name, headerTransferEncoding):
			// RFC 9112 section 6.3 item 4: chunked must be the final
			// coding; anything else is read until close.
			chunked = hasSuffixFold(value, tokenChunked)
			if !chunked {
				keepAlive = false
			}
		case equalFold(name, headerConnection):
			if hasToken(value, tokenClose) {
				keepAlive = false
			} else if hasToken(value, tokenKeepAlive) && minor == 0 {
				keepAlive = true
			}
		}
	}
	if status >= 100 && status < 200 {
		// Interim responses have no body (RFC 9110 section 15.2). After a
		// 101 the connection speaks another protocol, which a GET from
		// the bench never asks for: take it as final, and hang up.
		if status == 101 {
			resp.close = true
			return resp, false, nil
		}
		return resp, true, nil
	}
	resp.close = !keepAlive
	// RFC 9112 section 6.3: the body's length, in order of precedence.
	switch {
	case status == 204 || status == 304:
		return resp, false, nil
	case chunked:
		return resp, false, discardChunked(br)
	case contentLength >= 0:
		_, err := br.Discard(int(contentLength))
		return resp, false, unexpected(err)
	default:
		// No framing: the body runs until the server closes.
		resp.close = true
		_, err := io.Copy(io.Discard, br)
		return resp, false, err
	}
}

// discardChunked reads a chunked body and its trailer section (RFC 9112
// section 7.1), keeping none of it.
func discardChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		size, _, _ := bytes.Cut(line, []byte(";")) // chunk extensions
		n, ok := parseHex(bytes.Trim(size, ows))
		if !ok {
			return fmt.Errorf("%w: chunk size %q", ErrMalformed, line)
		}
		if n == 0 {
			break
		}
		if _, err := br.Discard(int(n)); err != nil {
			return unexpected(err)
		}
		crlf, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		if len(crlf) != 0 {
			return fmt.Errorf("%w: chunk data longer than its size %d", ErrMalformed, n)
		}
	}
	for range MaxHeaderLines {
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		if len(line) == 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: more than %d trailer lines", ErrTooLarge, MaxHeaderLines)
}

// readLine returns the next line without its CRLF (or bare LF, which RFC
// 9112 section 2.2 lets a recipient accept), as a slice of br's buffer
// valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: a line is longer than %d bytes", ErrTooLarge, ReadBufferSize)
		}
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// unexpected turns io.EOF inside a response into io.ErrUnexpectedEOF: the
// server closed in the middle of it.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseStatusLine reads "HTTP/1.x NNN reason" (RFC 9112 section 4): the
// minor version and the status code.
func parseStatusLine(line []byte) (minor, status int, ok bool) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return 0, 0, false
	}
	if !isDigit(line[7]) {
		return 0, 0, false
	}
	for _, c := range line[9:12] {
		if !isDigit(c) {
			return 0, 0, false
		}
		status = status*10 + int(c-'0')
	}
	return int(line[7] - '0'), status, status >= 100
}

// maxBodyDigits bounds a Content-Length or chunk size so that it fits an
// int on every platform: 15 decimal digits, 12 hex digits (256 TiB).
const (
	maxBodyDigits = 15
	maxHexDigits  = 12
)

// parseDecimal parses a Content-Length value: 1DIGIT (RFC 9110 section
// 8.6), no sign, no spaces.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > maxBodyDigits {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseHex parses a chunk size: 1*HEXDIG (RFC 9112 section 7.1).
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > maxHexDigits {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ows is optional whitespace, SP and HTAB (RFC 9110 section 5.6.3).
const ows = " \t"

// equalFold reports whether b equals lower, a lower-case ASCII word,
// ignoring case. bytes.EqualFold would do, but also folds Unicode.
func equalFold(b, lower []byte) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold reports whether the last comma-separated element of a
// list value is lower, ignoring case.
func hasSuffixFold(value, lower []byte) bool {
	if i := bytes.LastIndexByte(value, ','); i >= 0 {
		value = value[i+1:]
	}
	return equalFold(bytes.Trim(value, ows), lower)
}

// hasToken reports whether a comma-separated list value holds lower,
// ignoring case (RFC 9110 section 7.6.1: Connection options).
func hasToken(value, lower []byte) bool {
	for len(value) > 0 {
		var elem []byte
		elem, value, _ = bytes.Cut(value, []byte(","))
		if equalFold(bytes.Trim(elem, ows), lower) {
			return true
		}
	}
	return false
}
