//go:build !unix

package serverproc

import "os/exec"

const sessionsSupported = false

func newSession(cmd *exec.Cmd) {}
