//go:build !linux

package final

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// listenConfig leaves keep-alive to Go, which sets the same probe
// settings on each accepted connection: not every kernel copies them
// from the listening socket.
func listenConfig() net.ListenConfig {
	return net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{
		Enable:   true,
		Idle:     keepAliveIdle,
		Interval: keepAliveInterval,
		Count:    keepAliveCount,
	}}
}

// checkListeningFD checks that descriptor n is open and a stream socket,
// without taking it.
func checkListeningFD(n int) error {
	typ, err := syscall.GetsockoptInt(n, syscall.SOL_SOCKET, syscall.SO_TYPE)
	switch {
	case errors.Is(err, syscall.EBADF):
		return fmt.Errorf("descriptor %d is not open: start the server from a socket activator that passes it", n)
	case errors.Is(err, syscall.ENOTSOCK):
		return fmt.Errorf("descriptor %d is not a socket", n)
	case err != nil:
		return err
	case typ != syscall.SOCK_STREAM:
		return fmt.Errorf("descriptor %d is not a stream socket", n)
	}
	return nil
}
