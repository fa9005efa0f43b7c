//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ch09

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// readAfterWait reads n bytes through r, as the connection's bufio.Reader
// would after the wait, failing after 10 s rather than hang when fewer
// come.
func readAfterWait(t *testing.T, r *idleReader, n int) string {
	t.Helper()
	r.rwc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading %d bytes after the wait: %v", n, err)
	}
	return string(buf)
}

// untilReadable blocks until c has bytes to read, without reading them.
func untilReadable(t *testing.T, c net.Conn) {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var peek [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), peek[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN || n > 0
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIdleWaitFindsARequestAlreadyThere(t *testing.T) {
	server, client := testkit.TCPPair(t)
	const req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	if _, err := client.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	untilReadable(t, server)
	r := newIdleReader(server)
	if err := r.wait(); err != nil {
		t.Fatalf("wait = %v, want nil", err)
	}
	if string(r.pending) != req {
		t.Fatalf("the wait's first read took %q, want the whole request, %q", r.pending, req)
	}
	if got := readAfterWait(t, r, len(req)); got != req {
		t.Fatalf("read after the wait: %q, want %q", got, req)
	}
	if r.buf != nil {
		t.Error("the first read's buffer was not given back once its bytes were read")
	}
}

func TestIdleWaitParksUntilTheRequestComes(t *testing.T) {
	server, client := testkit.TCPPair(t)
	const req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	var written atomic.Bool
	// The request comes later, so that the wait's first read finds nothing
	// and the poller parks it. Were the write first, on a slow machine,
	// the test would check the other path, and still pass.
	time.AfterFunc(50*time.Millisecond, func() {
		written.Store(true)
		client.Write([]byte(req)) //nolint:errcheck // the reads below report it
	})
	r := newIdleReader(server)
	if err := r.wait(); err != nil {
		t.Fatalf("wait = %v, want nil", err)
	}
	if !written.Load() {
		t.Fatal("wait returned before the request was written")
	}
	if r.tried && (r.buf != nil || len(r.pending) > 0) {
		t.Fatal("woken by the poller, the wait read the socket or kept a buffer: the bufio.Reader is to read the request")
	}
	if got := readAfterWait(t, r, len(req)); got != req {
		t.Fatalf("read after the wait: %q, want %q", got, req)
	}
}

func TestIdleWaitSeesTheClientClose(t *testing.T) {
	server, client := testkit.TCPPair(t)
	client.Close()
	r := newIdleReader(server)
	if err := r.wait(); err != io.EOF {
		t.Fatalf("wait after the client closed = %v, want io.EOF", err)
	}
}

func TestIdleWaitEndsAtTheDeadline(t *testing.T) {
	server, _ := testkit.TCPPair(t)
	server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	r := newIdleReader(server)
	if err := r.wait(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("wait with nothing sent = %v, want os.ErrDeadlineExceeded", err)
	}
	if !r.tried || r.buf != nil {
		t.Fatalf("after the deadline: tried %v, buffer kept %v; want the first read to have found nothing and given its buffer back", r.tried, r.buf != nil)
	}
}
