//go:build unix

package ch06

import (
	"fmt"
	"os"
	"syscall"
)

// shareable returns a duplicate of the listener's descriptor to pass to
// workers, as an *os.File whose Fd leaves the socket non-blocking.
//
// The *os.File that net's File methods return has an Fd that switches the
// descriptor to blocking mode, and os/exec calls Fd on every ExtraFiles
// entry. Blocking mode is not the descriptor's own: it is a flag of the
// socket itself, which the master and every worker share. Starting a
// worker would then turn the running workers' accept into a blocking
// system call, one that closing the listener cannot interrupt: a worker
// asked to stop would hang in Close until a next connection came. An
// os.File made by os.NewFile from a non-blocking descriptor does not do
// that, so this duplicates the descriptor once more and wraps it so.
func shareable(fl filer) (*os.File, error) {
	f, err := fl.File()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var dup int
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		// Under ForkLock, as the syscall package asks of a descriptor made
		// without close-on-exec and marked after: a process started in
		// between (a worker, a new binary) would inherit a stray copy.
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		dup, dupErr = syscall.Dup(int(fd))
		if dupErr == nil {
			syscall.CloseOnExec(dup)
		}
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, fmt.Errorf("dup: %w", dupErr)
	}
	return os.NewFile(uintptr(dup), f.Name()), nil
}

// closeOnExec keeps fd from the programs this process executes.
func closeOnExec(fd int) { syscall.CloseOnExec(fd) }
