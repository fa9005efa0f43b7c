//go:build linux || darwin

package ports

import (
	"os"
	"sync"
	"syscall"
)

// Test packages run in parallel processes (go test ./... runs several
// packages at once), and each starts servers on ports from Free. Two of
// them could draw the same port within the moment between Free's check
// and the server's bind: one server then fails with "port in use" while
// the other's readiness probe connects to the wrong server. reserve
// closes that window: each port handed out holds a lock on one byte
// (at its number's offset) of a file shared by every process, for as
// long as the process lives. The kernel drops the locks when the process
// exits, however it exits.
var reservations struct {
	once sync.Once
	f    *os.File // nil when the lock file cannot be opened
}

// lockFile is the file whose bytes stand for ports. Its directory is
// /tmp itself, not os.TempDir: that follows $TMPDIR, which testscript
// points into each script's own work directory, so a `learn check` run by
// a script would lock a file of its own and exclude nobody. (That let a
// script's server and another test's take the same port, and a readiness
// probe connect to the wrong one.)
const lockFile = "/tmp/httpfromscratch-ports.lock"

// reserve reports whether port is now this process's (claim calls it
// with handedOut.mu held): false when another process holds it. Without
// a lock file (/tmp unwritable, or the file another user's and not
// writable), every port is granted, as before reservations existed.
func reserve(port int) bool {
	reservations.once.Do(func() {
		f, err := os.OpenFile(lockFile, os.O_RDWR|os.O_CREATE, 0o666)
		if err == nil {
			// Past the umask, so other users' tools lock it too. On a file
			// another user made, it fails: its mode is theirs to set.
			_ = f.Chmod(0o666)
			reservations.f = f
		}
	})
	if reservations.f == nil {
		return true
	}
	// A POSIX record lock belongs to the process, so the lock would grant
	// a port this process holds again: claim, not the lock, keeps one
	// process from handing a port out twice.
	lock := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: int64(port), Len: 1}
	return syscall.FcntlFlock(reservations.f.Fd(), syscall.F_SETLK, &lock) == nil
}
