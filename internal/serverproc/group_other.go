//go:build !unix

package serverproc

import (
	"errors"
	"os"
	"os/exec"
)

// setProcessGroup does nothing: process groups are a Unix notion.
func setProcessGroup(cmd *exec.Cmd) {}

// killGroup does nothing: without process groups, a prefork server's
// workers are its own to stop.
func killGroup(pgid int) {}

// interrupt kills the server: other systems have no SIGINT to send to
// another process.
func interrupt(p *os.Process) error { return p.Kill() }

// inGroup reports whether pid is the server itself: there are no groups.
func inGroup(pid, pgid int) bool { return pid == pgid }

// abort fails: there is no SIGABRT to send.
func abort(pid int) error { return errors.ErrUnsupported }
