//go:build linux

package ch06

import "syscall"

// workerSysProcAttr asks the kernel to send the worker SIGTERM when the
// master dies (PR_SET_PDEATHSIG), even by SIGKILL.
//
// The signal fires when the thread that started the worker exits, not the
// process. Go does not end threads under a running program unless a
// goroutine locked to one returns, which the master never does.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
