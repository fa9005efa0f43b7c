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
	cmd.Process.Signal(syscall.SIGINT)
}

// killGroup kills every process left in the server's group.
func killGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
