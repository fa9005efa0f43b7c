package ch09

import (
	"context"
	"net"
	"time"
)

// TCP keep-alive probes for accepted connections: the values net/http
// uses (Go's defaults). A client that vanished without a FIN (a laptop
// closed, a NAT table flushed) is found after about 2.5 minutes of
// silence, even while a handler waits for something else and reads
// nothing. Idle and header timeouts already bound every wait for a
// request; the probes cover what they do not, such as a long poll.
const (
	keepAliveIdle     = 15 * time.Second // silence before the first probe
	keepAliveInterval = 15 * time.Second // between unanswered probes
	keepAliveCount    = 9                // unanswered probes before the kernel gives up
)

// ListenTCP opens a listening TCP socket on addr. Where the kernel copies
// a listening socket's options to the sockets it accepts (Linux), the
// keep-alive options are set once, on the listener, as nginx's
// so_keepalive does, rather than with four system calls on every accepted
// connection, as net.Listen's listener does (about 4% of the server's CPU
// under a connection-per-request load, measured as this chapter's lesson
// says). Elsewhere, each accepted connection is configured as net.Listen
// would. So is each one accepted by a listener made from an inherited
// socket with net.FileListener (a prefork worker's, an upgrade's), whose
// settings Go does not let a caller change.
func ListenTCP(addr string) (net.Listener, error) {
	lc := listenConfig()
	return lc.Listen(context.Background(), "tcp", addr)
}
