package final

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestUnixSocketFile: closing a unixSocket removes its file exactly when
// the file is this server's: owned, not handed to a new server, and not
// handed down by a server that still runs (this test's parent stands for
// it; this process's own pid is nobody's parent here).
func TestUnixSocketFile(t *testing.T) {
	for _, tc := range []struct {
		name      string
		owned     bool
		handedOff bool
		parent    int
		removed   bool
	}{
		{"created here", true, false, 0, true},
		{"a supervisor's", false, false, 0, false},
		{"handed to a new server", true, true, 0, false},
		{"handed down, the old server runs", true, false, os.Getppid(), false},
		{"handed down, the old server gone", true, false, os.Getpid(), true},
		{"a supervisor's, handed down", false, false, os.Getpid(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.sock")
			ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
			if err != nil {
				t.Skip(err)
			}
			s := newUnixSocket(ul, tc.owned, tc.parent)
			s.handOff(tc.handedOff)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			_, err = os.Lstat(path)
			if removed := os.IsNotExist(err); removed != tc.removed {
				t.Errorf("after Close, file removed = %v, want %v", removed, tc.removed)
			}
		})
	}
}

// TestUnixSocketHandOffUndone: a rollback (handOff(false)) makes the file
// the server's to remove again.
func TestUnixSocketHandOffUndone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Skip(err)
	}
	s := newUnixSocket(ul, true, 0)
	s.handOff(true)
	s.handOff(false)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("after a rollback and Close, the socket file is still there (%v)", err)
	}
}
