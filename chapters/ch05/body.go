package ch05

import (
	"io"
	"net"
	"time"

	"github.com/httpfromscratch/course/chapters/ch04"
)

// requestBody sits between chapter 4's request body and chapter 2's body
// reader: every byte the handler reads passes through it. That lets the
// loop answer the two questions keep-alive raises about a body, without
// changing either chapter: was it read to its end, and if not, how much
// is left; and it sends "100 Continue" at the moment the handler first
// reads, which is what Expect: 100-continue asks for.
//
// One lives in each conn and is reset for each request: no allocation.
type requestBody struct {
	src    io.Reader // chapter 2's body: framed, never reads past the message
	length int64     // Content-Length, or -1 for a chunked body
	n      int64     // bytes read so far
	eof    bool      // src returned io.EOF: the next request starts here

	// The 100-continue handshake (RFC 9110 section 10.1.1).
	w       *ch04.Response // writes the interim response, unless the final one began
	expects bool           // the client sent "Expect: 100-continue"
	owed    bool           // it did, and the handler has not read yet
	sent100 bool           // 100 Continue went out: the client is sending the body
	err     error          // writing the interim response failed
}

// reset prepares b for a request whose body src has the given length (-1
// when chunked). owe100 says the client waits for 100 Continue.
func (b *requestBody) reset(src io.Reader, length int64, owe100 bool) {
	*b = requestBody{src: src, length: length, expects: owe100, owed: owe100}
}

// Read reads the body. The first Read of a body whose client expects
// 100-continue sends "HTTP/1.1 100 Continue" first, and flushes it: the
// client is waiting for it before sending a byte. It is not sent when the
// handler has already set its final status (it answered without wanting
// the body, and then read it after all: the client will send the body
// when it sees the final response, or never) or hijacked the connection.
func (b *requestBody) Read(p []byte) (int, error) {
	if b.owed {
		b.owed = false
		// The handler may be writing its response in another goroutine
		// meanwhile: WriteInterim writes only before the final response
		// begins, never inside it.
		if b.sent100, b.err = b.w.WriteInterim(continueLine); b.err != nil {
			return 0, b.err
		}
	}
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.src.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// drain reads and discards what the handler left of the body, so that
// the connection can go on to the next request, and reports whether the
// body is now read to its end. It gives up, and the connection must
// close, when:
//
//   - the client still waits for 100 Continue: it would send the body only
//     for it to be thrown away, and it may be waiting for the final
//     response rather than sending (net/http closes here too);
//   - the Content-Length says more than limit bytes are left: reading
//     them costs more than a new connection;
//   - a chunked body goes past limit, its framing is broken, or the client
//     stops sending for longer than timeout (zero: no bound).
//
// The bytes go through b, not through chapter 4's body, which is closed
// by now (Response.CloseBody). Chapter 4's Conn therefore still believes input is
// left unread if this was the connection's last request, and closes with
// a linger; that costs nothing a well-behaved client notices.
func (b *requestBody) drain(rwc net.Conn, limit int64, timeout time.Duration) bool {
	switch {
	case b.src == nil || b.eof:
		return true
	case b.expects && !b.sent100:
		return false
	case limit <= 0:
		return false
	case b.length >= 0 && b.length-b.n > limit:
		return false
	}
	if timeout > 0 {
		rwc.SetReadDeadline(time.Now().Add(timeout))
	}
	_, _ = io.CopyN(io.Discard, b, limit+1) // b.eof says how it ended
	return b.eof
}
