//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ch09

import (
	"io"
	"net"
	"sync"
	"syscall"
)

// firstReadSize is how much one read while parked can take: the size of
// the connection's bufio.Reader (chapter 4), so that the bytes always fit
// in it in one copy.
const firstReadSize = 4 << 10

// firstReads holds the buffers of reads in progress while parked. A
// buffer is taken when the socket is read and given back as soon as the
// bytes are copied into the connection's reader, so the pool holds about
// as many buffers as connections waking at the same moment, not one per
// idle connection.
var firstReads = sync.Pool{New: func() any { return new([firstReadSize]byte) }}

// idleReader waits for the next request on a parked connection and reads
// its first bytes, without holding a buffer while it waits: it reads the
// socket through the connection's syscall.RawConn, so that Go's network
// poller parks the goroutine in between and the read deadline still
// applies, and takes a buffer from firstReads only for the moment of each
// read.
//
// It is also the io.Reader the connection's bufio.Reader reads from after
// the wait (see conns.Wait): first the bytes it read, then the
// connection itself. Reading for real, rather than looking with MSG_PEEK
// and reading again, keeps a kept-alive request at two reads: one that
// finds nothing (the poller then waits), one that gets the request.
type idleReader struct {
	rc      syscall.RawConn
	rwc     net.Conn
	read    func(fd uintptr) bool // r.readFD, bound once: no allocation per wait
	buf     *[firstReadSize]byte  // from firstReads, between a read and its copy
	pending []byte                // what the last wait read, not yet copied out
	err     error
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

// wait blocks until the client sends, and reads what it sent; or until
// the read deadline passes (os.ErrDeadlineExceeded) or the client closes
// (io.EOF).
func (r *idleReader) wait() error {
	if err := r.rc.Read(r.read); err != nil {
		return err // the deadline, or a closed connection
	}
	if r.err != nil || len(r.pending) == 0 {
		r.release()
		if r.err != nil {
			return r.err
		}
		return io.EOF
	}
	return nil
}

// readFD reads the socket once. It returns false, and RawConn.Read waits
// for the poller to report the socket readable before calling it again,
// only when there is nothing to read yet; the buffer goes back to the pool
// for the wait.
func (r *idleReader) readFD(fd uintptr) bool {
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
			return false
		}
		r.pending, r.err = r.buf[:max(n, 0)], err
		return true
	}
}

// Read returns the bytes the last wait read, then reads the connection.
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
