//go:build unix && !linux

package proc

import "syscall"

// Alive reports whether pid is a process this one may signal: without
// /proc to read its state in, a zombie counts as alive too.
func Alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
