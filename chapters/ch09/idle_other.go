//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ch09

import (
	"io"
	"net"
)

// idleReader would wait for a connection's next request without holding
// buffers; this platform has no implementation, so idle connections keep
// their buffers while they wait.
type idleReader struct{}

// newIdleReader returns nil: the loop waits the ordinary way.
func newIdleReader(net.Conn) *idleReader { return nil }

// wait is never called: newIdleReader returns nil.
func (*idleReader) wait() error { return nil }

// Read is never called: newIdleReader returns nil.
func (*idleReader) Read([]byte) (int, error) { return 0, io.EOF }
