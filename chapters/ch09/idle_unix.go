//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ch09

import (
	"io"
	"net"
	"syscall"
)

// idleReader waits for the next request on a parked connection without
// holding a buffer. It tries to read one byte through the connection's
// syscall.RawConn: when nothing is there, Go's network poller parks the
// goroutine until the socket is readable, and the read deadline still
// applies; when the poller wakes it, the wait ends without reading,
// and the connection's bufio.Reader, given its buffers again, reads the
// request itself, straight into them.
//
// It is also the io.Reader that bufio.Reader reads from after the wait
// (see conns.Wait): first the byte the wait read, if it read one, then
// the connection itself. A kept-alive request costs two reads, as in
// chapter 5: one that finds nothing (the poller then waits), one that
// gets the request. (Looking with MSG_PEEK instead, and reading again,
// costs three.)
type idleReader struct {
	rc    syscall.RawConn
	rwc   net.Conn
	check func(fd uintptr) bool // r.checkFD, bound once: no allocation per wait
	tried bool                  // this wait's first read found nothing
	held  bool                  // first holds a byte read and not yet returned
	first [1]byte
	err   error // how the wait's read failed, or io.EOF when the client closed
}

// newIdleReader returns an idleReader for c, or nil when c is not a socket
// of the operating system's (a TLS connection, a test's in-memory one):
// then the loop waits the ordinary way, with its buffers.
func newIdleReader(c net.Conn) *idleReader {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &idleReader{rc: rc, rwc: c}
	r.check = r.checkFD
	return r
}

// wait returns when the socket has something to read: nil, or io.EOF when
// the client closed, the read's error when it failed, the deadline's
// when it passed first.
func (r *idleReader) wait() error {
	r.tried, r.err = false, nil
	if err := r.rc.Read(r.check); err != nil {
		return err // the deadline, or a closed connection
	}
	return r.err
}

// checkFD is called by RawConn.Read: at once, then again each time the
// poller says the socket is readable, until it returns true. The first
// call must read, not assume: a request that arrived before the wait has
// already had its readiness noted, and the poller would not say so again.
// One byte is enough to tell; EAGAIN (nothing yet) returns false, and the
// goroutine parks. The call after a wake-up does not read: the socket is
// readable, and what is there (a request, the end of the stream, an
// error) is the bufio.Reader's to read.
func (r *idleReader) checkFD(fd uintptr) bool {
	if r.tried {
		return true
	}
	for {
		n, err := syscall.Read(int(fd), r.first[:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			r.tried = true
			return false
		case err != nil:
			r.err = err
		case n == 0:
			r.err = io.EOF
		default:
			r.held = true
		}
		return true
	}
}

// Read returns the byte the wait read, if it read one, then reads the
// connection.
func (r *idleReader) Read(p []byte) (int, error) {
	if !r.held || len(p) == 0 {
		return r.rwc.Read(p)
	}
	p[0], r.held = r.first[0], false
	return 1, nil
}
