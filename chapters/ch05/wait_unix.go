//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ch05

import (
	"io"
	"net"
	"syscall"
)

// readWaiter waits until a connection has a byte to read, without reading
// it: a recv with MSG_PEEK, run through the connection's syscall.RawConn
// so that Go's network poller parks the goroutine in between, and the
// read deadline still applies. Waiting without reading is what lets an
// idle connection hold no buffer: the byte stays in the kernel until the
// buffers are back.
type readWaiter struct {
	rc   syscall.RawConn
	peek func(fd uintptr) bool // w.peekFD, bound once: no allocation per wait
	buf  [1]byte
	n    int
	err  error
}

// newReadWaiter returns a readWaiter for c, or nil when c is not a socket
// of the operating system's (a TLS connection, a test's in-memory one):
// then the loop waits the ordinary way, with its buffers.
func newReadWaiter(c net.Conn) *readWaiter {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &readWaiter{rc: rc}
	w.peek = w.peekFD
	return w
}

// wait blocks until a byte can be read, the read deadline passes
// (os.ErrDeadlineExceeded), or the client has closed (io.EOF).
func (w *readWaiter) wait() error {
	if err := w.rc.Read(w.peek); err != nil {
		return err
	}
	switch {
	case w.err != nil:
		return w.err
	case w.n == 0:
		return io.EOF
	}
	return nil
}

// peekFD looks at the socket once; it returns false, and RawConn.Read
// waits for the poller to report the socket readable before calling it
// again, only when there is nothing to read yet.
func (w *readWaiter) peekFD(fd uintptr) bool {
	for {
		w.n, _, w.err = syscall.Recvfrom(int(fd), w.buf[:], syscall.MSG_PEEK)
		if w.err != syscall.EINTR {
			return w.err != syscall.EAGAIN
		}
	}
}
