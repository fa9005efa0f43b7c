//go:build linux || darwin

package proc

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises this process's soft limit on open files
// (RLIMIT_NOFILE) to its hard limit, and fails if that is below need.
func RaiseFileLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("reading the limit on open files: %w", err)
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			// macOS refuses a soft limit above kern.maxfilesperproc,
			// "unlimited" included: ask for what is needed instead.
			want.Cur = max(lim.Cur, uint64(need))
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
				return fmt.Errorf("raising the limit on open files from %d to %d: %w", lim.Cur, want.Cur, err)
			}
		}
		lim = want
	}
	if lim.Cur < uint64(need) {
		return fmt.Errorf("this needs %d open files, and the hard limit is %d (ulimit -Hn): raise it, or open fewer connections", need, lim.Max)
	}
	return nil
}
