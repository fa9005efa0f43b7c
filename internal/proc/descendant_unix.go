//go:build unix && !linux

package proc

import "syscall"

// Descendant reports whether pid is root or, without /proc to follow
// parents in, a process of root's process group: the servers the tools
// start lead a group of their own, which their workers share.
func Descendant(pid, root int) bool {
	if pid == root {
		return true
	}
	pgid, err := syscall.Getpgid(pid)
	return err == nil && pgid == root
}
