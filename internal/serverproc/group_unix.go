//go:build unix

package serverproc

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup makes the server the leader of a process group of its
// own, which its workers then share.
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setDeathSignal(cmd.SysProcAttr)
}

// killGroup kills every process left in process group pgid.
func killGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // ESRCH, the usual case after an exit: nothing left
}

// interrupt sends SIGINT, the signal the course's servers stop gracefully on.
func interrupt(p *os.Process) error { return p.Signal(syscall.SIGINT) }

// inGroup reports whether pid is in process group pgid.
func inGroup(pid, pgid int) bool {
	g, err := syscall.Getpgid(pid)
	return err == nil && g == pgid
}

// abort sends SIGABRT to pid.
func abort(pid int) error { return syscall.Kill(pid, syscall.SIGABRT) }
