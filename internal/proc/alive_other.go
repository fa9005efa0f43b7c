//go:build !unix

package proc

import "os"

// Alive reports whether pid is a process the system knows.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
