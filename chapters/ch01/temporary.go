package ch01

import (
	"errors"
	"net"
	"syscall"
)

// isTemporary reports whether an accept error is worth retrying: the
// process ran out of file descriptors (EMFILE, ENFILE), the kernel ran out
// of buffers, or a connection was aborted before we accepted it. Anything
// else (the listener was closed, say) ends the accept loop.
func isTemporary(err error) bool {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
			syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR:
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
