//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ch05

import "net"

// readWaiter would wait for a connection to become readable without
// reading; this platform has no implementation, so idle connections keep
// their buffers while they wait.
type readWaiter struct{}

// newReadWaiter returns nil: the loop waits the ordinary way.
func newReadWaiter(net.Conn) *readWaiter { return nil }

// wait is never called: newReadWaiter returns nil.
func (*readWaiter) wait() error { return nil }
