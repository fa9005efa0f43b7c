package final

import (
	"net"
	"os"
	"sync"
)

// unixSocket is a Unix socket final serves. Whether closing it removes
// its file is decided in Close, under a lock: the net package's own flag
// (SetUnlinkOnClose) is a plain field, and a rolled-back upgrade may
// change the answer while a stop closes the listener. The file goes when
// the server owns it, has not handed it to a new server, and was not
// handed it by a server that still runs:
//
//   - owned: this server created the socket (--bind unix:PATH), or the
//     server it upgraded owned it and handed it down. A socket from
//     systemd or another supervisor (LISTEN_FDS, fd://N) is never ours:
//     its file is the supervisor's.
//   - handedOff: this server handed the socket to a new one by an
//     upgrade, which owns the file from then on; a rollback takes it back.
//   - parent: for a socket an upgrade handed down, the server that did;
//     while it still runs (the operator rolled the upgrade back by
//     stopping this one), the file is the old server's again.
type unixSocket struct {
	*net.UnixListener
	owned  bool
	parent int

	mu        sync.Mutex
	handedOff bool
}

// newUnixSocket wraps ul; Close decides about its file from then on.
func newUnixSocket(ul *net.UnixListener, owned bool, parent int) *unixSocket {
	ul.SetUnlinkOnClose(false)
	return &unixSocket{UnixListener: ul, owned: owned, parent: parent}
}

// Close closes the socket, and removes its file if it is this server's
// to remove now.
func (s *unixSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.UnixListener.SetUnlinkOnClose(s.owned && !s.handedOff && !parentRuns(s.parent))
	return s.UnixListener.Close()
}

// handOff records that a new server owns the file (on), or no longer
// does (off: it exited while this one runs).
func (s *unixSocket) handOff(on bool) {
	s.mu.Lock()
	s.handedOff = on
	s.mu.Unlock()
}

// parentRuns reports whether pid, the server an upgrade started this one
// from, still runs: it is still this process's parent. Once it exits,
// this process hangs from init (or a subreaper), never from a process
// that takes its pid later.
func parentRuns(pid int) bool { return pid != 0 && os.Getppid() == pid }
