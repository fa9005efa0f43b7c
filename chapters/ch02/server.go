package ch02

import (
	"bufio"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
)

// DefaultMaxDumpBody bounds the body the Handler accepts when
// Limits.MaxBodyBytes is zero. The parser streams any body, but the
// Handler must hold a body whole to put it in its JSON dump, so "no limit"
// would let one request take all the memory.
const DefaultMaxDumpBody = 16 << 20 // 16 MiB

// Lingering close: after its reply, the Handler shuts down its sending
// side and reads (and drops) what the client still sends, for at most
// lingerTimeout or lingerBytes. Closing a socket with unread bytes in it
// makes the kernel send RST, and an RST can reach the client before it
// has read our reply, which it then never sees: exactly what happens when
// we answer 413 or 414 without reading what the client is still sending.
const (
	lingerTimeout = 500 * time.Millisecond
	lingerBytes   = 256 << 10 // 256 KiB
)

// Handler is chapter 2's ch01.ConnHandler. It reads one request, with its
// whole body, and answers 200 with the request's JSON dump (see Dump), or
// the error's status and a one-line text/plain explanation. Either way it
// then closes the connection: keep-alive is chapter 5.
type Handler struct {
	// Limits bounds each request. If Limits.MaxBodyBytes is zero,
	// DefaultMaxDumpBody is used.
	Limits Limits
	// Logf reports each request and error. If nil, nothing is logged.
	Logf ch01.Logf
}

// NewServer returns a chapter 1 server, listening on addr when started,
// that serves every connection with a Handler.
func NewServer(addr string, lim Limits, logf ch01.Logf) *ch01.Server {
	return &ch01.Server{Addr: addr, Handler: &Handler{Limits: lim, Logf: logf}, Logf: logf}
}

// ServeConn serves one connection: one request, one reply, close.
func (h *Handler) ServeConn(c net.Conn) {
	defer func() {
		// A bug in the parser must cost one connection, not the process.
		if v := recover(); v != nil {
			h.logf("ch02: %v: panic: %v\n%s", c.RemoteAddr(), v, debug.Stack())
		}
		c.Close()
	}()
	lim := h.Limits
	if lim.MaxBodyBytes <= 0 {
		lim.MaxBodyBytes = DefaultMaxDumpBody
	}
	rr := Parser{Limits: lim}
	req, err := rr.ReadRequest(bufio.NewReader(c))
	if err == io.EOF {
		return // closed before sending anything: nothing to answer
	}
	var body []byte
	if err == nil {
		// Read the whole body before answering: the dump shows it, and
		// a body error (bad chunk, too large) changes the answer.
		body, err = io.ReadAll(req.Body)
	}
	var werr error
	if err != nil {
		code := StatusCode(err)
		h.logf("ch02: %v: %d: %v", c.RemoteAddr(), code, err)
		werr = writeResponse(c, code, "text/plain; charset=utf-8", []byte(statusText(code)+": "+err.Error()+"\n"))
	} else {
		h.logf("ch02: %v: %s %s %s: 200", c.RemoteAddr(), req.Method, req.Target, req.Proto)
		werr = writeResponse(c, 200, "application/json", Dump(req, body))
	}
	if werr != nil {
		// The client is gone or stopped reading: no reply reached it, and
		// there is nothing to linger for.
		h.logf("ch02: %v: write response: %v", c.RemoteAddr(), werr)
		return
	}
	LingerClose(c)
}

func (h *Handler) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}

// writeResponse writes a whole response by hand: status line,
// Content-Type, Content-Length, Connection: close, and body. Building
// responses is chapter 3's subject; these few lines are all chapter 2
// needs to reply at all.
func writeResponse(w io.Writer, code int, contentType string, body []byte) error {
	buf := make([]byte, 0, 128+len(body))
	buf = append(buf, "HTTP/1.1 "...)
	buf = strconv.AppendInt(buf, int64(code), 10)
	buf = append(buf, ' ')
	buf = append(buf, statusText(code)...)
	buf = append(buf, "\r\nContent-Type: "...)
	buf = append(buf, contentType...)
	buf = append(buf, "\r\nContent-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	// RFC 9112 section 9.6: a server that will close after this response
	// says so, so the client does not send another request into the void.
	buf = append(buf, "\r\nConnection: close\r\n\r\n"...)
	buf = append(buf, body...)
	_, err := w.Write(buf)
	return err
}

// statusText returns the RFC 9110 section 15 reason phrase of the codes
// this chapter sends.
func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 413:
		return "Content Too Large"
	case 414:
		return "URI Too Long"
	case 431:
		return "Request Header Fields Too Large"
	case 501:
		return "Not Implemented"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Error"
}

// LingerClose closes c after a reply without losing the reply: it sends
// FIN, then drains what the client still sends, for at most 500 ms and
// 256 KiB, so the kernel has no unread bytes to answer with RST while the
// reply is in flight, and then closes c. Use it whenever a server closes
// a connection it may not have read to the end.
func LingerClose(c net.Conn) {
	defer c.Close()
	cw, ok := c.(ch01.CloseWriter)
	if !ok || cw.CloseWrite() != nil {
		return
	}
	if c.SetReadDeadline(time.Now().Add(lingerTimeout)) != nil {
		return
	}
	//nolint:errcheck // the drain ends on the deadline, the limit or an error alike: c is closed next whatever it says
	io.CopyN(io.Discard, c, lingerBytes)
}
