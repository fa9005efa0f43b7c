package ch01

import (
	"io"
	"net"
)

// CloseWriter is implemented by connections that can half-close: shut down
// their sending side while still reading (*net.TCPConn, *net.UnixConn).
// Chapter 2's LingerClose half-closes through it too.
type CloseWriter interface {
	CloseWrite() error
}

// Echo copies every byte read from c back to c, until the client shuts down
// its write side or the connection fails. It then half-closes its own write
// side, so the client reads everything echoed followed by a clean EOF, and
// closes the connection.
//
// io.Copy streams through a fixed 32 KiB buffer, so a payload of any size
// passes through without being held in memory whole. On Linux, when both
// ends are TCP sockets, io.Copy may even let the kernel move the bytes
// (splice) without copying them into this process at all.
func Echo(c net.Conn) {
	defer c.Close()
	if _, err := io.Copy(c, c); err != nil {
		return // reset by the peer, or closed by Server.Close: nothing to finish
	}
	// The client sent FIN (read returned io.EOF) and we echoed everything:
	// send our own FIN so the client's read returns EOF too.
	if cw, ok := c.(CloseWriter); ok {
		//nolint:errcheck // the connection is closed next: a failed FIN changes nothing (net/http ignores it too)
		cw.CloseWrite()
	}
}
