//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ch09

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// firstReadSize is how much the wait's first read can take: the size of
// the connection's bufio.Reader (chapter 4), so that the bytes always fit
// in it in one copy.
const firstReadSize = 4 << 10

// firstReads holds the buffers of first reads. A buffer is taken for the
// read and given back at once when it finds nothing, or as soon as its
// bytes are copied into the connection's reader, so the pool holds about
// as many buffers as connections reading at the same moment, not one per
// idle connection.
var firstReads = sync.Pool{New: func() any { return new([firstReadSize]byte) }}

// idleReader waits for the next request on a parked connection without
// holding a buffer. It reads the socket through the connection's
// syscall.RawConn: when the first read finds nothing, Go's network poller
// parks the goroutine until the socket is readable, and the read deadline
// still applies; when the poller wakes it, the wait ends without reading,
// and the connection's bufio.Reader, given its buffers again, reads the
// request itself, straight into them.
//
// It is also the io.Reader that bufio.Reader reads from after the wait
// (see conns.Wait): first the bytes the first read took, if it took any,
// then the connection itself. Either way a request costs two reads at
// most, as in chapter 5: one that finds nothing (the poller then waits),
// one that gets the request. (Looking with MSG_PEEK instead, and reading
// again, costs three.)
type idleReader struct {
	rc      syscall.RawConn
	rwc     net.Conn
	read    func(fd uintptr) bool // r.readFD, bound once: no allocation per wait
	tried   bool                  // this wait's first read found nothing
	buf     *[firstReadSize]byte  // from firstReads, between a read and its copy
	pending []byte                // what the first read took, not yet copied out
	err     error                 // how the first read failed
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
	r.read = r.readFD
	return r
}

// wait returns when the socket has something to read: nil, or io.EOF when
// the client closed, the read's error when it failed, the deadline's
// when it passed first.
func (r *idleReader) wait() error {
	r.tried, r.err = false, nil
	if err := r.rc.Read(r.read); err != nil {
		return err // the deadline, or a closed connection
	}
	switch {
	case r.tried:
		return nil // woken by the poller: the bufio.Reader reads what came
	case r.err != nil:
		r.release()
		return r.err
	case len(r.pending) == 0:
		r.release()
		return io.EOF
	}
	return nil
}

// readFD is called by RawConn.Read: at once, then again each time the
// poller says the socket is readable, until it returns true. The first
// call must read, not assume: a request that arrived before the wait has
// had its readiness noted already, and the poller would not say so again.
// When that read finds nothing (EAGAIN), the buffer goes back to the pool
// and readFD returns false: the goroutine parks. The call after a wake-up
// does not read: the socket is readable, and what is there (a request, the
// end of the stream, an error) is the bufio.Reader's to read.
func (r *idleReader) readFD(fd uintptr) bool {
	if r.tried {
		return true
	}
	if r.buf == nil {
		r.buf = firstReads.Get().(*[firstReadSize]byte)
	}
	for {
		n, err := syscall.Read(int(fd), r.buf[:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			r.release()
			r.tried = true
			return false
		}
		r.pending = r.buf[:max(n, 0)]
		if err != nil {
			// As the net package reports a failed read: the errno
			// inside, for errors.Is(err, syscall.ECONNRESET) and the like.
			la := r.rwc.LocalAddr()
			r.err = &net.OpError{Op: "read", Net: la.Network(), Source: la, Addr: r.rwc.RemoteAddr(), Err: os.NewSyscallError("read", err)}
		}
		return true
	}
}

// Read returns the bytes the first read took, then reads the connection.
func (r *idleReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		return r.rwc.Read(p)
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	if len(r.pending) == 0 {
		r.release()
	}
	return n, nil
}

// release gives the buffer back to the pool.
func (r *idleReader) release() {
	if r.buf != nil {
		firstReads.Put(r.buf)
		r.buf, r.pending = nil, nil
	}
}
