//go:build unix

package serverproc

import (
	"os/exec"
	"syscall"
)

// sessionsSupported reports whether newSession does what it says.
const sessionsSupported = true

// newSession makes cmd's process the leader of a session, and so of a
// process group, of its own: a server's child that does this leaves the
// server's group.
func newSession(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
