//go:build unix

package serverproc

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// setProcessGroup makes the server the leader of a process group of its
// own, which its workers then share.
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
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

// groupMembers lists the processes of group pgid other than its leader,
// from /proc (Linux); elsewhere it finds none.
func groupMembers(pgid int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid {
			continue
		}
		if inGroup(pid, pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// abort sends SIGABRT to pid.
func abort(pid int) error { return syscall.Kill(pid, syscall.SIGABRT) }
