package ch09

import (
	"net"
	"syscall"
)

// listenConfig sets the keep-alive options on the listening socket, and
// tells Go not to set them again on each accepted connection (a negative
// KeepAlive): Linux's accept gives the new socket the listener's
// SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT, and starts
// its keep-alive timer (tcp_create_openreq_child).
func listenConfig() net.ListenConfig {
	return net.ListenConfig{
		KeepAlive: -1,
		Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) { err = setKeepAlive(int(fd)) }); cerr != nil {
				return cerr
			}
			return err
		},
	}
}

// setKeepAlive turns TCP keep-alive on for fd with the package's
// probe settings.
func setKeepAlive(fd int) error {
	opts := []struct {
		level, name, value int
		what               string
	}{
		{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, int(keepAliveIdle.Seconds()), "TCP_KEEPIDLE"},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, int(keepAliveInterval.Seconds()), "TCP_KEEPINTVL"},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, keepAliveCount, "TCP_KEEPCNT"},
	}
	for _, o := range opts {
		if err := syscall.SetsockoptInt(fd, o.level, o.name, o.value); err != nil {
			return &net.OpError{Op: "setsockopt " + o.what, Net: "tcp", Err: err}
		}
	}
	return nil
}
