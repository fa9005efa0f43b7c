package proc

import (
	"fmt"
	"os"
	"strconv"
)

// RSS returns a process's resident memory in bytes, VmRSS in
// /proc/PID/status.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	n, err := parseVmRSS(b)
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	return n, nil
}

// OpenFileLimits returns a process's soft and hard limits on open files,
// from /proc/PID/limits.
func OpenFileLimits(pid int) (soft, hard uint64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		return 0, 0, fmt.Errorf("limits of process %d: %w", pid, err)
	}
	if soft, hard, err = parseOpenFiles(b); err != nil {
		return 0, 0, fmt.Errorf("limits of process %d: %w", pid, err)
	}
	return soft, hard, nil
}

// Descendant reports whether pid is root or one of its descendants, by
// following parent pids in /proc.
func Descendant(pid, root int) bool {
	for p := pid; p > 1; {
		if p == root {
			return true
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if err != nil {
			return false
		}
		if p, err = parsePPID(b); err != nil {
			return false
		}
	}
	return false
}

// Supported reports whether this system has /proc to read other
// processes from.
const Supported = true
