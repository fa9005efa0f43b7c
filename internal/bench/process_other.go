//go:build !unix

package bench

import "os/exec"

// setProcessGroup does nothing: process groups are a Unix notion.
func setProcessGroup(cmd *exec.Cmd) {}

// interrupt kills the server: other systems have no SIGINT to send to
// another process.
func interrupt(cmd *exec.Cmd) {
	cmd.Process.Kill()
}

// killGroup does nothing: without process groups, a prefork server's
// workers are its own to stop.
func killGroup(cmd *exec.Cmd) {}
