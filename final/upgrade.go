package final

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch06"
)

// A zero-downtime binary upgrade, as Gunicorn and nginx do it: on SIGUSR2
// the server starts a new copy of itself from the binary on disk and
// hands it its listening sockets as inherited descriptors, the way
// chapter 6's master hands its socket to a worker. The new server takes
// them instead of opening its addresses again (which would fail: they are
// in use), and both accept from the same sockets until the operator
// stops the old one with TERM (graceful) or QUIT. No connection is
// refused at any moment: the sockets never close, and the kernel queues
// what neither has accepted yet.
//
// With --pid FILE, the old server's FILE becomes FILE.oldbin the moment
// the upgrade starts, and the new server writes FILE, so that scripts
// find each by name. If the new server does not start serving (the new
// binary is broken), the old one renames FILE.oldbin back and goes on.

// Environment of a server started by an upgrade.
const (
	// listenFDsEnv holds how many listening sockets were handed down,
	// as descriptors 3 and up.
	listenFDsEnv = "FINAL_LISTEN_FDS"
	// listenOwnedEnv says, one character per handed-down socket, which
	// Unix sockets' files the new server owns ("1") once the old one
	// stops, and which are a supervisor's ("0").
	listenOwnedEnv = "FINAL_LISTEN_OWNED"
	// upgradeParentEnv holds the pid of the server that started this
	// one by an upgrade.
	upgradeParentEnv = "FINAL_UPGRADE_PARENT"
	// upgradeReadyEnv holds the descriptor the new server writes one
	// byte to once it serves.
	upgradeReadyEnv = "FINAL_UPGRADE_READY_FD"
	// listenFromFDEnv says, for each handed-down socket, the N of the
	// --bind fd://N it came from, or "-": the new server, reading the
	// same command line, must find fd://N's socket by that N, not by the
	// descriptor it arrives on now.
	listenFromFDEnv = "FINAL_LISTEN_FROM_FD"
)

// firstInheritedFD is the first descriptor an exec'd process inherits
// beyond stdin, stdout and stderr (exec.Cmd.ExtraFiles, systemd's
// SD_LISTEN_FDS_START).
const firstInheritedFD = 3

// handedDown holds the listening sockets this process inherited: from
// the server it upgrades (FINAL_LISTEN_FDS), or from systemd's socket
// activation (LISTEN_FDS, for this pid: LISTEN_PID). Listen and the
// --bind listeners take theirs from it by address, instead of opening
// the address again.
type handedDown struct {
	mu  sync.Mutex
	lns []net.Listener
	fds []int // the N by which --bind fd://N names each of lns, or -1
	// parent is the server that handed the sockets down, or 0 when they
	// came from systemd.
	parent int
	// owned says, for each of lns, whether its file becomes this
	// server's (listenOwnedEnv).
	owned []bool
}

// inherited returns this process's handed-down listeners, read from the
// environment once.
var inherited = sync.OnceValue(func() *handedDown {
	upgradeReadyPipe() // taken now, not left in the environment for workers
	h := new(handedDown)
	n, _ := strconv.Atoi(os.Getenv(listenFDsEnv))
	owned := os.Getenv(listenOwnedEnv)
	var fromFD []string // by an upgrade: each socket's fd://N, or "-"
	if n > 0 {
		h.parent, _ = strconv.Atoi(os.Getenv(upgradeParentEnv))
		fromFD = strings.Split(os.Getenv(listenFromFDEnv), ",")
	} else if os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid()) {
		n, _ = strconv.Atoi(os.Getenv("LISTEN_FDS"))
	}
	for _, name := range []string{listenFDsEnv, listenOwnedEnv, upgradeParentEnv, listenFromFDEnv, "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"} {
		_ = os.Unsetenv(name) // not for the workers this process starts; fails only for a bad name
	}
	for i, fd := 0, firstInheritedFD; fd < firstInheritedFD+n; i, fd = i+1, fd+1 {
		f := os.NewFile(uintptr(fd), "inherited socket "+strconv.Itoa(fd))
		ln, err := net.FileListener(f) // a duplicate, closed on exec
		f.Close()
		if err == nil {
			id := fd // systemd's: fd://N names the descriptor itself
			if h.parent != 0 {
				id = -1 // an upgrade's: only as the old server's fd://N, if it was one
				if i < len(fromFD) {
					if n, err := strconv.Atoi(fromFD[i]); err == nil {
						id = n
					}
				}
			}
			h.lns, h.fds = append(h.lns, ln), append(h.fds, id)
			h.owned = append(h.owned, i < len(owned) && owned[i] == '1')
		}
	}
	return h
})

// take returns the handed-down listener on network's addr and removes it
// from h, or nil if none matches. A TCP address matches by IP and port;
// a Unix socket by its path, which the taker now owns (it removes the
// file when it closes the listener).
func (h *handedDown) take(network, addr string) net.Listener {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, ln := range h.lns {
		if !sameAddr(ln.Addr(), network, addr) {
			continue
		}
		return h.remove(i)
	}
	return nil
}

// takeFD returns the handed-down listener that came as descriptor fd
// (`--bind fd://N` under socket activation), or nil if none did.
func (h *handedDown) takeFD(fd int) net.Listener {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.lns {
		if h.fds[i] == fd {
			return h.remove(i)
		}
	}
	return nil
}

// remove takes lns[i] out of h and returns it: a Unix socket as a
// unixSocket, its file the taker's if the server that handed it down
// owned it (never systemd's). h.mu is held.
func (h *handedDown) remove(i int) net.Listener {
	ln, owned := h.lns[i], h.owned[i]
	h.lns = slices.Delete(h.lns, i, i+1)
	h.fds = slices.Delete(h.fds, i, i+1)
	h.owned = slices.Delete(h.owned, i, i+1)
	if ul, ok := ln.(*net.UnixListener); ok {
		return newUnixSocket(ul, owned, h.parent)
	}
	return ln
}

// closeRest closes the handed-down listeners nobody took (the new
// binary listens on fewer addresses than the old): the old server still
// serves them until it stops, and this one must not hold them for ever.
func (h *handedDown) closeRest() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ln := range h.lns {
		ln.Close() //nolint:errcheck // a copy of a socket another process serves
	}
	h.lns, h.fds, h.owned = nil, nil, nil
}

// sameAddr reports whether a listener's address is network's addr.
func sameAddr(have net.Addr, network, addr string) bool {
	switch h := have.(type) {
	case *net.UnixAddr:
		return network == "unix" && h.Name == addr
	case *net.TCPAddr:
		if network != "tcp" {
			return false
		}
		want, err := net.ResolveTCPAddr("tcp", addr)
		return err == nil && want.Port == h.Port && want.Port != 0 &&
			(want.IP.Equal(h.IP) || len(want.IP) == 0 && h.IP.IsUnspecified())
	}
	return false
}

// upgradeReadyPipe is the pipe the server that started this one by an
// upgrade waits on (upgradeReadyEnv), or nil. It is taken, and the
// variable unset, at the first look at what was handed down, before the
// master starts a worker that could inherit it.
var upgradeReadyPipe = sync.OnceValue(func() *os.File {
	fd, err := strconv.Atoi(os.Getenv(upgradeReadyEnv))
	_ = os.Unsetenv(upgradeReadyEnv) // fails only for a bad name
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(fd), "upgrade ready pipe")
})

// notifyUpgradeReady tells the server that started this one by an
// upgrade, if any, that this one serves.
func notifyUpgradeReady() {
	if f := upgradeReadyPipe(); f != nil {
		//nolint:errcheck // the old server reads the byte or the close: either tells it
		f.Write([]byte{1})
		f.Close()
	}
}

// upgrader starts the new server on SIGUSR2. It is used by one signal
// handler at a time.
type upgrader struct {
	// exe is the path the server was started by (ch06.ProgramPath, when
	// it started), or exeErr why it has none: an upgrade runs what is at
	// that path now.
	exe     string
	exeErr  error
	lns     []net.Listener // the sockets to hand down, before any wrapper of final's
	fromFD  []string       // for each of lns, the N of the --bind fd://N it is, or "-"
	pidFile string         // --pid, or ""
	// readyTimeout bounds the wait for the new server to report that it
	// serves (--ready-timeout).
	readyTimeout time.Duration
	logf         func(format string, args ...any)

	mu      sync.Mutex
	running *os.Process   // the new server, once one serves
	kept    []*unixSocket // the Unix sockets whose files the new server now owns
}

// errUpgradeFailed is returned by upgrade when the new server did not
// start serving.
var errUpgradeFailed = errors.New("upgrade abandoned: the new server did not start")

// upgrade starts a new server from the binary on disk with this
// process's command line and hands it the listening sockets. It returns
// once the new server serves, or failed to.
func (u *upgrader) upgrade() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.running != nil {
		return fmt.Errorf("a new server (pid %d) runs already: stop this one with TERM", u.running.Pid)
	}
	if p := inherited().parent; parentRuns(p) {
		// Two upgrades in a row would leave three servers and one
		// FILE.oldbin for two old ones.
		return fmt.Errorf("the server this one replaced (pid %d) still runs: stop it with TERM first", p)
	}
	if u.exeErr != nil {
		return fmt.Errorf("find the binary: %w", u.exeErr)
	}
	exe := u.exe
	u.logf("final: SIGUSR2: starting a new server from %s", exe)
	files := make([]*os.File, 0, len(u.lns)+1)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, ln := range u.lns {
		f, err := ch06.ListenerFile(ln)
		if err != nil {
			return fmt.Errorf("hand down %s: %w", ln.Addr(), err)
		}
		files = append(files, f)
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("ready pipe: %w", err)
	}
	defer ready.Close()
	files = append(files, readyW)

	if u.pidFile != "" {
		if err := os.Rename(u.pidFile, u.pidFile+".oldbin"); err != nil {
			return fmt.Errorf("--pid: %w", err)
		}
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0] // the name it was started by, which a multi-call binary reads
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = os.Stdout, os.Stderr, files
	owned := make([]byte, len(u.lns))
	for i, ln := range u.lns {
		owned[i] = '0'
		if us, ok := ln.(*unixSocket); ok && us.owned {
			owned[i] = '1'
		}
	}
	cmd.Env = append(os.Environ(),
		listenFDsEnv+"="+strconv.Itoa(len(u.lns)),
		listenOwnedEnv+"="+string(owned),
		upgradeParentEnv+"="+strconv.Itoa(os.Getpid()),
		listenFromFDEnv+"="+strings.Join(u.fromFD, ","),
		upgradeReadyEnv+"="+strconv.Itoa(firstInheritedFD+len(u.lns)))
	// Hand the socket files over before the new server starts: from its
	// first instant it may be the one left serving them, should a TERM
	// stop this one meanwhile. A start that fails takes them back.
	var kept []*unixSocket
	for _, ln := range u.lns {
		if us, ok := ln.(*unixSocket); ok && us.owned {
			us.handOff(true)
			kept = append(kept, us)
		}
	}
	takeBack := func() {
		for _, us := range kept {
			us.handOff(false)
		}
		u.restorePidFile()
	}
	if err := cmd.Start(); err != nil {
		takeBack()
		return fmt.Errorf("start %s: %w", exe, err)
	}
	readyW.Close() // the child has its copy: EOF now means it is gone
	files = files[:len(files)-1]
	exited := make(chan struct{})
	go func() {
		//nolint:errcheck // the exit is reported by the log below when it matters
		cmd.Wait()
		close(exited)
	}()

	// One byte when the new server serves; EOF when it exited first (its
	// copy of the pipe closed), a timeout when it is still starting.
	got := make(chan error, 1)
	go func() {
		if err := ready.SetReadDeadline(time.Now().Add(u.readyTimeout)); err != nil {
			got <- err
			return
		}
		_, err := ready.Read(make([]byte, 1))
		got <- err
	}()
	if err := <-got; err != nil {
		//nolint:errcheck // it may have exited already
		cmd.Process.Kill()
		<-exited
		takeBack()
		why := "exited before it served: " + cmd.ProcessState.String()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			why = fmt.Sprintf("did not serve within %v (--ready-timeout): killed", u.readyTimeout)
		}
		return fmt.Errorf("%w: pid %d %s", errUpgradeFailed, cmd.Process.Pid, why)
	}
	// The new server owns our Unix socket files now: closing ours must
	// not remove them (a supervisor's are never ours to remove).
	u.running, u.kept = cmd.Process, kept
	go u.rollBackAfter(cmd.Process, exited)
	u.logf("final: SIGUSR2: new server (pid %d) serves the same sockets; stop this one (pid %d) with TERM", cmd.Process.Pid, os.Getpid())
	return nil
}

// rollBackAfter waits for the new server to exit. If this one still runs
// then, the operator stopped the new one to roll the upgrade back (or it
// died): this server takes back what it handed over, its pid file and
// the removal of its socket files, and may upgrade again.
func (u *upgrader) rollBackAfter(p *os.Process, exited <-chan struct{}) {
	<-exited
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.running != p {
		return
	}
	u.running = nil
	u.restorePidFile()
	for _, us := range u.kept {
		us.handOff(false)
	}
	u.kept = nil
	u.logf("final: the new server (pid %d) exited: this one (pid %d) serves on; SIGUSR2 may upgrade again", p.Pid, os.Getpid())
}

// restorePidFile undoes the rename of an upgrade that failed.
func (u *upgrader) restorePidFile() {
	if u.pidFile == "" {
		return
	}
	if err := os.Rename(u.pidFile+".oldbin", u.pidFile); err != nil {
		u.logf("final: --pid: %v", err)
	}
}

// checkPidFile checks, before anything listens, that a --pid file can be
// written and, if owner, is no other running server's (--check-config,
// run beside the server it is about, does not ask): two servers given the same
// file would each take it from the other, and the first to stop would
// delete the file the other still needs (logrotate's kill -USR1
// "$(cat FILE)" would then fail). Gunicorn refuses the same way. A
// worker, whose master wrote the file, and a server started by a USR2
// upgrade (the old one renamed its file to FILE.oldbin first) find no
// one else's pid in it.
func checkPidFile(path string, owner bool) error {
	if path == "" || ch06.IsWorker(os.Getenv) {
		return nil
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return fmt.Errorf("--pid %s: directory %s does not exist: create it first", path, dir)
	}
	b, err := os.ReadFile(path)
	if err != nil || !owner {
		return nil // none yet (or unreadable: writing it will say)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return nil // not a pid: a stale file of another kind, replaced
	}
	if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("--pid %s: it names pid %d, which is running: stop that server first, or remove the file if it is stale", path, pid)
	}
	return nil
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// writePidFile writes this process's pid to path, replacing the file at
// once (a reader never sees it half-written), and returns a function
// that removes it, or the FILE.oldbin it became, at exit if it still
// names this process.
func writePidFile(path string) (remove func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pid := strconv.Itoa(os.Getpid())
	tmp := path + ".tmp" + pid
	if err := os.WriteFile(tmp, []byte(pid+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("--pid: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp) // best effort: the rename's error is the one to report
		return nil, fmt.Errorf("--pid: %w", err)
	}
	return func() {
		for _, p := range []string{path, path + ".oldbin"} {
			if b, err := os.ReadFile(p); err == nil && string(b) == pid+"\n" {
				_ = os.Remove(p) // best effort at exit: a stale pid file names a dead process
			}
		}
	}, nil
}
