//go:build unix

package bench

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the server in a process group of its own. Ctrl+C in
// the terminal then reaches only the bench, which stops the servers
// itself, and killGroup can reach a prefork server's workers.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interrupt sends SIGINT, the signal `learn run` stops gracefully on.
func interrupt(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGINT) // fails only once it has exited: stop waits for that anyway
}

// killGroup kills every process left in the server's group.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH, the usual case: nothing left
}
