package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxResponseHead bounds the status line and headers the harness reads.
const maxResponseHead = 1 << 20 // 1 MiB

// conn is one client connection a script opened.
type conn struct {
	*net.TCPConn
	br    *bufio.Reader
	sends []string // what the script sent on it, each cut for a report
	// statuses are the status lines of the responses read on it so far,
	// the last keptSends of them, and answered how many there were.
	statuses []string
	answered int
	// head is the raw bytes of the response head being read, line ends
	// and all, until its empty line: what a failure in the head shows.
	head     []byte
	headDone bool
}

// keptSends is how many of a connection's sends a failure recalls.
const keptSends = 6

// sent records data as sent on c, for reports.
func (c *conn) sent(data []byte) {
	if c.sends = append(c.sends, quote(data)); len(c.sends) > keptSends {
		c.sends = c.sends[1:]
	}
}

// answer records a complete response read on c, by its status line.
func (c *conn) answer(statusLine string) {
	c.answered++
	if c.statuses = append(c.statuses, statusLine); len(c.statuses) > keptSends {
		c.statuses = c.statuses[1:]
	}
}

// history recalls what was sent on connection name before a failure on
// it, when there was more than the last send (a phase that failed may
// owe its failure to a request an earlier phase sent on the connection),
// and the responses read on it before, when there were any: with
// pipelined requests, which one of them the failure is about.
func (c *conn) history(name string) string {
	var h []string
	if len(c.sends) >= 2 {
		h = append(h, fmt.Sprintf("sent on connection %s so far (the last %d sends):\n    %s", name, len(c.sends), strings.Join(c.sends, "\n    ")))
	}
	if c.answered > 0 {
		count := strconv.Itoa(c.answered)
		if c.answered > len(c.statuses) {
			count += fmt.Sprintf(", the last %d", len(c.statuses))
		}
		h = append(h, fmt.Sprintf("responses read on connection %s before this point: %s:\n    %s",
			name, count, strings.Join(c.statuses, "\n    ")))
	}
	return strings.Join(h, "\n")
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, ReadTimeout)
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	return &conn{TCPConn: tc, br: bufio.NewReader(tc)}, nil
}

// deadline starts the clock for one read command.
func (c *conn) deadline() {
	c.SetReadDeadline(time.Now().Add(ReadTimeout))
}

func readErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errTimeout
	}
	return err
}

// readN reads exactly n bytes.
func (c *conn) readN(n int) ([]byte, error) {
	c.deadline()
	buf := make([]byte, n)
	got, err := io.ReadFull(c.br, buf)
	if err != nil {
		return buf[:got], readErr(err)
	}
	return buf, nil
}

// readAll reads until the server closes the connection.
func (c *conn) readAll() ([]byte, error) {
	c.deadline()
	data, err := io.ReadAll(c.br)
	if err != nil && !isReset(err) {
		return data, readErr(err)
	}
	return data, nil
}

// waitClosed waits for the server to close the connection and returns any
// bytes it sent first. A reset counts as closed: a server that closes with
// unread request bytes in its socket makes the kernel send RST.
func (c *conn) waitClosed() ([]byte, error) {
	c.deadline()
	data, err := io.ReadAll(c.br)
	if err != nil && !isReset(err) {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return data, fmt.Errorf("the connection is still open after %v", ReadTimeout)
		}
		return data, err
	}
	return data, nil
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// readLine reads one line that must end in CRLF and returns it without it.
func (c *conn) readLine(what string) (string, error) {
	line, err := c.br.ReadString('\n')
	if !c.headDone {
		c.head = append(c.head, line...)
	}
	if err != nil {
		if err == io.EOF && line == "" {
			return "", fmt.Errorf("the server closed the connection before the %s", what)
		}
		return line, fmt.Errorf("reading the %s: %w (got %s)", what, readErr(err), quote([]byte(line)))
	}
	if !strings.HasSuffix(line, "\r\n") {
		return line, &lineEndError{what: what, msg: fmt.Sprintf("the %s %s ends in a bare \\n, want \\r\\n (RFC 9112 section 2.1)", what, quote([]byte(line)))}
	}
	return line[:len(line)-2], nil
}

// lineEndError is a line of a response that does not end in CRLF. It is
// a failure of its own kind, whatever the check was about: lineEndHint
// says how to fix it.
type lineEndError struct {
	what string // the line: "status line", "header line", "chunk size", ...
	msg  string
}

func (e *lineEndError) Error() string { return e.msg }

// lineEndHint is what a failure adds to a lineEndError, whatever the check
// was about: the rule, where it applies, and that the check's own hint is
// about something else. Its lines are broken for the report.
func lineEndHint(err *lineEndError) string {
	where := "the status line, each\n" +
		"header line, and the empty line that ends the head (so it ends in \"\\r\\n\\r\\n\")."
	if strings.HasPrefix(err.what, "chunk") || strings.HasPrefix(err.what, "trailer") {
		where = "in a chunked body,\n" +
			"each chunk-size line, the end of each chunk's data, each trailer line, and the last empty line."
	}
	return "End every line with CRLF, \"\\r\\n\", never a bare \"\\n\": " + where + "\n" +
		"Print functions and text-mode writes end lines in \"\\n\" alone: write \"\\r\\n\" yourself.\n" +
		"Fix this first: the check's own hint, if any, is about what it checks next."
}

// received is what a failure in the response head shows the server sent:
// the head as read so far, then whatever else has already arrived and
// waits unread. It is nil once the head was read whole.
func (c *conn) received() []byte {
	if c.headDone || len(c.head) == 0 {
		return nil
	}
	more, _ := c.br.Peek(c.br.Buffered())
	return append(append([]byte(nil), c.head...), more...)
}

// readResponse reads one HTTP/1.1 response and renders it for comparison:
// lines end in \n instead of \r\n (after checking each did end in \r\n),
// the Date value becomes <date> once it parses as an IMF-fixdate, and the
// body follows as sent (chunk-size lines and chunk ends shown as lines).
func (c *conn) readResponse(head bool) (string, error) {
	c.deadline()
	c.head, c.headDone = c.head[:0], false
	var out strings.Builder
	status, err := c.readLine("status line")
	if err != nil {
		return out.String(), err
	}
	out.WriteString(status + "\n")
	code, err := statusCode(status)
	if err != nil {
		return out.String(), err
	}
	length, chunked, headBytes := int64(-1), false, len(status)
	for {
		line, err := c.readLine("header line")
		if err != nil {
			return out.String(), err
		}
		if headBytes += len(line); headBytes > maxResponseHead {
			return out.String(), fmt.Errorf("the response head is over %d bytes", maxResponseHead)
		}
		if line == "" {
			out.WriteString("\n")
			c.headDone = true
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return out.String(), fmt.Errorf("header line %s has no colon", quote([]byte(line)))
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "date":
			if _, err := time.Parse(imfFixdate, value); err != nil {
				return out.String(), fmt.Errorf("header Date: %q is not an IMF-fixdate like %q (RFC 9110 section 5.6.7)", value, imfFixdate)
			}
			line = name + ": <date>"
		case "content-length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				return out.String(), fmt.Errorf("Content-Length %q is not a number", value)
			}
			length = n
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		}
		out.WriteString(line + "\n")
	}
	if head || code < 200 || code == 204 || code == 304 {
		return out.String(), nil
	}
	var body []byte
	switch {
	case chunked:
		err = c.readChunked(&out)
		return out.String(), err
	case length >= 0:
		body = make([]byte, length)
		var n int
		n, err = io.ReadFull(c.br, body)
		body = body[:n]
		if err != nil {
			err = fmt.Errorf("reading a %d-byte body: %w after %d bytes", length, readErr(err), n)
		}
	default:
		body, err = io.ReadAll(c.br)
		err = readErr(err)
	}
	out.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		out.WriteString("\n")
	}
	return out.String(), err
}

// imfFixdate is the layout of HTTP dates (RFC 9110 section 5.6.7).
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

func statusCode(status string) (int, error) {
	proto, rest, _ := strings.Cut(status, " ")
	codeText, _, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || len(codeText) != 3 {
		return 0, fmt.Errorf("status line %q is not HTTP/1.x NNN reason (RFC 9112 section 4)", status)
	}
	return code, nil
}

// readChunked copies a chunked body to out, one line per chunk-size line,
// the chunk data, and the trailer section.
func (c *conn) readChunked(out *strings.Builder) error {
	for {
		line, err := c.readLine("chunk size")
		if err != nil {
			return err
		}
		sizeText, ext, hasExt := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("chunk size %q is not hexadecimal", line)
		}
		// The size as a number: leading zeros and the letters' case are
		// the server's to choose (RFC 9112 section 7.1), not a check's.
		out.WriteString(strconv.FormatInt(size, 16))
		if hasExt {
			out.WriteString(";" + ext)
		}
		out.WriteString("\n")
		if size == 0 {
			for { // trailer section, then the final CRLF
				line, err := c.readLine("trailer line")
				if err != nil {
					return err
				}
				out.WriteString(line + "\n")
				if line == "" {
					return nil
				}
			}
		}
		data := make([]byte, size+2)
		if _, err := io.ReadFull(c.br, data); err != nil {
			return fmt.Errorf("reading a %d-byte chunk: %w", size, readErr(err))
		}
		if !bytes.HasSuffix(data, []byte("\r\n")) {
			return &lineEndError{what: "chunk data", msg: fmt.Sprintf("chunk data %s is not followed by \\r\\n (RFC 9112 section 7.1)", quote(data))}
		}
		out.Write(data[:size])
		out.WriteString("\n")
	}
}
