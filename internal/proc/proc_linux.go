package proc

import (
	"fmt"
	"os"
	"strconv"
	"time"
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

// GroupCPU returns the CPU time, user and system, that the processes of
// process group pgid have used so far, with their children that have
// exited and been waited for: a prefork server's master, its workers, and
// the workers it replaced. A process that exits between the listing and
// the reading is missed, as are children not yet waited for.
func GroupCPU(pgid int) (time.Duration, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("CPU time of process group %d: %w", pgid, err)
	}
	var ticks int64
	found := false
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		pgrp, t, err := parseGroupCPU(b)
		if err != nil || pgrp != pgid {
			continue
		}
		ticks += t
		found = true
	}
	if !found {
		return 0, fmt.Errorf("CPU time of process group %d: no process in it", pgid)
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
