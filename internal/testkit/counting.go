package testkit

import (
	"net"
	"sync/atomic"
	"time"
)

// CountingListener counts, on the TCP connections it accepts, the writes
// and the read deadlines set to a time ahead: timeouts, not the clearing
// of one, nor a deadline in the past that calls a blocked read off. Each
// connection is still a *net.TCPConn underneath (its SyscallConn among
// the methods), so a server reads its socket as it would in production.
// Wrap a listener from Listen.
type CountingListener struct {
	net.Listener
	Writes, Deadlines atomic.Int64
}

// Accept accepts a TCP connection and counts what the server does with
// it.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{TCPConn: c.(*net.TCPConn), l: l}, nil
}

type countingConn struct {
	*net.TCPConn
	l *CountingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.Writes.Add(1)
	return c.TCPConn.Write(p)
}

func (c *countingConn) SetReadDeadline(t time.Time) error {
	if t.After(time.Now()) {
		c.l.Deadlines.Add(1)
	}
	return c.TCPConn.SetReadDeadline(t)
}
