//go:build !linux

package proc

import (
	"fmt"
	"runtime"
	"time"
)

// RSS cannot read another process's memory without /proc.
func RSS(pid int) (int64, error) {
	return 0, fmt.Errorf("memory of process %d: %w, not %s", pid, ErrUnsupported, runtime.GOOS)
}

// OpenFileLimits cannot read another process's limits without /proc.
func OpenFileLimits(pid int) (soft, hard uint64, err error) {
	return 0, 0, fmt.Errorf("limits of process %d: %w, not %s", pid, ErrUnsupported, runtime.GOOS)
}

// Supported reports whether this system has /proc to read other
// processes from.
const Supported = false

// GroupCPU cannot read other processes' CPU time without /proc.
func GroupCPU(pgid int) (time.Duration, error) {
	return 0, fmt.Errorf("CPU time of process group %d: %w, not %s", pgid, ErrUnsupported, runtime.GOOS)
}

// GroupListens cannot tell whose a listening socket is without /proc.
func GroupListens(pgid, port int) (bool, error) {
	return false, fmt.Errorf("listener on port %d: %w, not %s", port, ErrUnsupported, runtime.GOOS)
}

// GroupPIDs cannot list a group's processes without /proc.
func GroupPIDs(pgid int) ([]int, error) {
	return nil, fmt.Errorf("processes of group %d: %w, not %s", pgid, ErrUnsupported, runtime.GOOS)
}

// Stray is a process that left the process group of the server it
// descends from; without /proc, none is ever found.
type Stray struct {
	PID   int
	Start uint64
}

// Identify cannot read a start time without /proc.
func Identify(pid int) (Stray, error) {
	return Stray{}, fmt.Errorf("process %d: %w, not %s", pid, ErrUnsupported, runtime.GOOS)
}

// Strays cannot follow parents without /proc.
func Strays(root Stray) ([]Stray, error) {
	return nil, fmt.Errorf("descendants of process %d: %w, not %s", root.PID, ErrUnsupported, runtime.GOOS)
}

// Kill does nothing without /proc to tell the process is still the same.
func (s Stray) Kill() bool { return false }
