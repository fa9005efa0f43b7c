// Package proc answers what the course's tools ask about processes on
// this machine: how much memory a server holds (RSS), how much CPU time
// its processes have used, how many files it may open, whether a pid
// belongs to the server under test or is still running; and it raises
// this process's own limit on open files before a test or benchmark opens
// thousands of connections.
//
// Reading another process needs /proc, which Linux has: there the package
// reads it through github.com/prometheus/procfs, and the limits on open
// files through github.com/shirou/gopsutil (procfs reads only the soft
// one). Elsewhere those functions return an error wrapping
// ErrUnsupported, or fall back on what a signal or the process group
// tells.
package proc

import "errors"

// ErrUnsupported is wrapped by the errors of functions that need /proc
// where there is none.
var ErrUnsupported = errors.New("reading another process needs /proc (Linux)")
