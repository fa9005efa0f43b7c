//go:build unix

package final

import (
	"errors"
	"fmt"
	"syscall"
)

// checkListeningFD checks that descriptor n is open and a listening
// stream socket, without taking it.
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
	if on, err := syscall.GetsockoptInt(n, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN); err == nil && on == 0 {
		return fmt.Errorf("descriptor %d is a socket that is not listening", n)
	}
	return nil
}
