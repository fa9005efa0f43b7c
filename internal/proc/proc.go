// Package proc answers what the course's tools ask about processes on
// this machine: how much memory a server holds (RSS), how many files it
// may open, whether a pid belongs to the server under test; and it raises
// this process's own limit on open files before a test or benchmark opens
// thousands of connections.
//
// Reading another process needs /proc, which Linux has: elsewhere those
// functions return an error wrapping ErrUnsupported.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrUnsupported is wrapped by the errors of functions that need /proc
// where there is none.
var ErrUnsupported = errors.New("reading another process needs /proc (Linux)")

// parseVmRSS returns the resident memory, in bytes, that a
// /proc/PID/status file reports on its "VmRSS:   12345 kB" line (the
// kernel's kB are KiB).
func parseVmRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("VmRSS line %q: want a number of kB", bytes.TrimSpace(line))
		}
		kib, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kib < 0 || kib > 1<<40 {
			return 0, fmt.Errorf("VmRSS line %q: want a number of kB", bytes.TrimSpace(line))
		}
		return kib << 10, nil
	}
	return 0, errors.New("no VmRSS line (a kernel thread, or a zombie)")
}

// parseOpenFiles returns the soft and hard limits on open files that a
// /proc/PID/limits file reports on its "Max open files" line; unlimited
// is the largest uint64.
func parseOpenFiles(limits []byte) (soft, hard uint64, err error) {
	parse := func(b []byte) (uint64, error) {
		if string(b) == "unlimited" {
			return ^uint64(0), nil
		}
		return strconv.ParseUint(string(b), 10, 64)
	}
	for line := range bytes.Lines(limits) {
		rest, ok := bytes.CutPrefix(line, []byte("Max open files"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest) // soft, hard, "files"
		if len(f) < 2 {
			break
		}
		if soft, err = parse(f[0]); err == nil {
			hard, err = parse(f[1])
		}
		return soft, hard, err
	}
	return 0, 0, errors.New(`no "Max open files" line`)
}

// userHZ is the unit of the CPU times in /proc/PID/stat: clock ticks of
// USER_HZ, which Linux fixes at 100 a second for every program's view.
const userHZ = 100

// statFields returns the fields of a /proc/PID/stat file after the
// command name: the state is [0], the parent's pid [1], the process group
// [2], utime [11], stime [12], cutime [13], cstime [14]. The command
// name, the second field, is in parentheses and may hold spaces and
// parentheses itself: the fields start after its last ")".
func statFields(stat []byte) ([][]byte, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, errors.New("stat without a command name")
	}
	return bytes.Fields(stat[i+1:]), nil
}

// parseGroupCPU returns a /proc/PID/stat file's process group and the CPU
// time the process and its waited-for children have used, in ticks.
func parseGroupCPU(stat []byte) (pgrp int, ticks int64, err error) {
	f, err := statFields(stat)
	if err != nil {
		return 0, 0, err
	}
	if len(f) < 15 {
		return 0, 0, errors.New("stat too short")
	}
	if pgrp, err = strconv.Atoi(string(f[2])); err != nil {
		return 0, 0, fmt.Errorf("stat: process group %q: %w", f[2], err)
	}
	for _, t := range f[11:15] { // utime, stime, cutime, cstime
		n, err := strconv.ParseInt(string(t), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("stat: CPU time %q: %w", t, err)
		}
		ticks += n
	}
	return pgrp, ticks, nil
}

// parsePPID returns the parent's pid from a /proc/PID/stat file.
func parsePPID(stat []byte) (int, error) {
	f, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	if len(f) < 2 {
		return 0, errors.New("stat too short")
	}
	return strconv.Atoi(string(f[1]))
}
