package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/unix"
)

// Supported reports whether this system has /proc to read other
// processes from.
const Supported = true

// userHZ is the unit of the CPU times procfs reads from a process's stat:
// clock ticks of USER_HZ, which Linux fixes at 100 a second for every
// program's view.
const userHZ = 100

// procFS is /proc, opened once.
var procFS = sync.OnceValues(procfs.NewDefaultFS)

// RSS returns a process's resident memory in bytes, its VmRSS.
func RSS(pid int) (int64, error) {
	fs, err := procFS()
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	return rss(fs, pid)
}

func rss(fs procfs.FS, pid int) (int64, error) {
	p, err := fs.Proc(pid)
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	s, err := p.NewStatus()
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	if s.VmRSS == 0 {
		// A process that runs holds some memory: one without has exited
		// and not been waited for, or is a kernel thread, whose status
		// has no VmRSS line at all.
		return 0, fmt.Errorf("memory of process %d: no VmRSS (a zombie, or a kernel thread)", pid)
	}
	return int64(s.VmRSS), nil
}

// OpenFileLimits returns a process's soft and hard limits on open files;
// unlimited is the largest uint64. procfs reads only the soft one:
// gopsutil reads both.
func OpenFileLimits(pid int) (soft, hard uint64, err error) {
	return openFileLimits(procfs.DefaultMountPoint, pid)
}

// openFileLimits reads them from the /proc mounted at root.
func openFileLimits(root string, pid int) (soft, hard uint64, err error) {
	ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: root})
	limits, err := (&process.Process{Pid: int32(pid)}).RlimitWithContext(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("limits of process %d: %w", pid, err)
	}
	for _, l := range limits {
		if l.Resource == process.RLIMIT_NOFILE {
			return l.Soft, l.Hard, nil
		}
	}
	return 0, 0, fmt.Errorf(`limits of process %d: no "Max open files" line`, pid)
}

// Descendant reports whether pid is root or one of its descendants, by
// following parent pids.
func Descendant(pid, root int) bool {
	fs, err := procFS()
	return err == nil && descendant(fs, pid, root)
}

func descendant(fs procfs.FS, pid, root int) bool {
	for p := pid; p > 1; {
		if p == root {
			return true
		}
		proc, err := fs.Proc(p)
		if err != nil {
			return false
		}
		s, err := proc.Stat()
		if err != nil {
			return false
		}
		p = s.PPID
	}
	return false
}

// Alive reports whether pid is a running process: a zombie, which has
// exited and waits for its parent to read its status, is not.
func Alive(pid int) bool {
	fs, err := procFS()
	if err != nil { // no /proc mounted: all a signal can tell
		return syscall.Kill(pid, 0) == nil
	}
	return alive(fs, pid)
}

func alive(fs procfs.FS, pid int) bool {
	p, err := fs.Proc(pid)
	if err != nil {
		return false
	}
	s, err := p.Stat()
	return err == nil && s.State != "Z"
}

// GroupCPU returns the CPU time, user and system, that the processes of
// process group pgid have used so far, with their children that have
// exited and been waited for: a prefork server's master, its workers, and
// the workers it replaced. A process that exits between the listing and
// the reading is missed, as are children not yet waited for.
func GroupCPU(pgid int) (time.Duration, error) {
	fs, err := procFS()
	if err != nil {
		return 0, fmt.Errorf("CPU time of process group %d: %w", pgid, err)
	}
	return groupCPU(fs, pgid)
}

func groupCPU(fs procfs.FS, pgid int) (time.Duration, error) {
	procs, err := group(fs, pgid)
	if err != nil {
		return 0, fmt.Errorf("CPU time of process group %d: %w", pgid, err)
	}
	var ticks int64
	for _, p := range procs {
		ticks += int64(p.stat.UTime) + int64(p.stat.STime) + int64(p.stat.CUTime) + int64(p.stat.CSTime)
	}
	if len(procs) == 0 {
		return 0, fmt.Errorf("CPU time of process group %d: no process in it", pgid)
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// GroupPIDs lists the processes of group pgid: a server started in a
// group of its own, and its workers.
func GroupPIDs(pgid int) ([]int, error) {
	fs, err := procFS()
	if err != nil {
		return nil, fmt.Errorf("processes of group %d: %w", pgid, err)
	}
	procs, err := group(fs, pgid)
	if err != nil {
		return nil, fmt.Errorf("processes of group %d: %w", pgid, err)
	}
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.PID
	}
	return pids, nil
}

// member is a process of a group, with the stat it was found by.
type member struct {
	procfs.Proc
	stat procfs.ProcStat
}

// group lists the processes of group pgid that /proc shows. A process
// that exits between the listing and the reading of its stat is missed.
func group(fs procfs.FS, pgid int) ([]member, error) {
	procs, err := fs.AllProcs()
	if err != nil {
		return nil, err
	}
	var out []member
	for _, p := range procs {
		s, err := p.Stat()
		if err != nil || s.PGRP != pgid {
			continue // gone meanwhile, or another group's
		}
		out = append(out, member{p, s})
	}
	return out, nil
}

// tcpListen is the state /proc/net/tcp gives a listening socket (the
// kernel's TCP_LISTEN).
const tcpListen = 0x0A

// GroupListens reports whether a process of group pgid holds a TCP socket
// listening on port, on any address: whether what answers on the port is
// the server started, or another program's listener. The error says it
// cannot tell: no /proc, no socket listening on port in this network
// namespace, or a process of the group whose files it may not read.
func GroupListens(pgid, port int) (bool, error) {
	fs, err := procFS()
	if err != nil {
		return false, fmt.Errorf("listener on port %d: %w", port, err)
	}
	return groupListens(fs, procfs.DefaultMountPoint, pgid, port)
}

// groupListens finds the inodes of the sockets listening on port in
// root/net/tcp and tcp6, then looks for one among the open files of the
// group's processes, which /proc shows as links to "socket:[inode]".
func groupListens(fs procfs.FS, root string, pgid, port int) (bool, error) {
	sockets := make(map[string]bool)
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		// tcp6 is missing where IPv6 is off: what the other holds will do.
		_ = listeningSockets(filepath.Join(root, name), port, sockets)
	}
	if len(sockets) == 0 {
		return false, fmt.Errorf("listener on port %d: none in %s/net/tcp", port, root)
	}
	procs, err := group(fs, pgid)
	if err != nil {
		return false, fmt.Errorf("listener on port %d: %w", port, err)
	}
	for _, p := range procs {
		files, err := p.FileDescriptorTargets()
		if err != nil {
			return false, fmt.Errorf("listener on port %d: files of process %d: %w", port, p.PID, err)
		}
		for _, f := range files {
			if sockets[f] {
				return true, nil
			}
		}
	}
	return false, nil
}

// listeningSockets adds to sockets, as "socket:[inode]", the sockets of a
// /proc/net/tcp file listening on port. Its lines are
//
//	sl  local_address rem_address   st tx_queue ... uid  timeout inode
//	0: 0100007F:5C61 00000000:0000 0A 00000000:00000000 ... 1000 0 81234 ...
//
// the local address's port and the state in hexadecimal.
func listeningSockets(path string, port int, sockets map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		_, localPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue // the heading
		}
		p, err1 := strconv.ParseUint(localPort, 16, 16)
		st, err2 := strconv.ParseUint(f[3], 16, 8)
		if err1 == nil && err2 == nil && int(p) == port && st == tcpListen {
			sockets["socket:["+f[9]+"]"] = true
		}
	}
	return nil
}

// Stray is a process that left the process group of the server it
// descends from (setsid, setpgid): a kill of the group misses it. Start,
// its start time in clock ticks since boot, tells it from a process that
// gets its pid later.
type Stray struct {
	PID   int
	Start uint64
}

// Identify returns pid's identity: its pid and start time.
func Identify(pid int) (Stray, error) {
	fs, err := procFS()
	if err != nil {
		return Stray{}, fmt.Errorf("process %d: %w", pid, err)
	}
	p, err := fs.Proc(pid)
	if err != nil {
		return Stray{}, fmt.Errorf("process %d: %w", pid, err)
	}
	s, err := p.Stat()
	if err != nil {
		return Stray{}, fmt.Errorf("process %d: %w", pid, err)
	}
	return Stray{PID: pid, Start: s.Starttime}, nil
}

// Strays lists the descendants of root, at any depth, that are not in
// root's process group, which root leads. A descendant whose parent has
// already exited hangs from init, or a subreaper, and is not found; and
// none is found once root itself is gone (its pid, and the tree under
// it, may be another process's by then).
func Strays(root Stray) ([]Stray, error) {
	fs, err := procFS()
	if err != nil {
		return nil, fmt.Errorf("descendants of process %d: %w", root.PID, err)
	}
	return strays(fs, root)
}

func strays(fs procfs.FS, root Stray) ([]Stray, error) {
	procs, err := fs.AllProcs()
	if err != nil {
		return nil, fmt.Errorf("descendants of process %d: %w", root.PID, err)
	}
	children := make(map[int][]procfs.ProcStat)
	rootFound := false
	for _, p := range procs {
		s, err := p.Stat()
		if err != nil {
			continue // gone meanwhile
		}
		children[s.PPID] = append(children[s.PPID], s)
		if s.PID == root.PID && s.Starttime == root.Start && s.State != "Z" {
			rootFound = true
		}
	}
	if !rootFound {
		return nil, nil
	}
	var out []Stray
	for next := []int{root.PID}; len(next) > 0; {
		pid := next[len(next)-1]
		next = next[:len(next)-1]
		for _, s := range children[pid] {
			if s.PGRP != root.PID {
				out = append(out, Stray{PID: s.PID, Start: s.Starttime})
			}
			next = append(next, s.PID)
		}
	}
	return out, nil
}

// Kill kills the stray with SIGKILL, if its pid is still that process's
// (the same start time); it reports whether it sent the signal.
//
// It holds the process by a pidfd while it checks: a pidfd names one
// process, not a number, so once the check passes the signal reaches
// that process even if it exits and its pid goes to another meanwhile.
// A kernel without pidfds (before Linux 5.3), or a sandbox that forbids
// them, leaves that gap open: the pid is signalled right after the check.
func (s Stray) Kill() bool {
	pidfd, err := unix.PidfdOpen(s.PID, 0)
	switch {
	case err == nil:
		defer unix.Close(pidfd) //nolint:errcheck // closing a pidfd loses nothing
	case errors.Is(err, unix.ESRCH):
		return false // gone
	default:
		pidfd = -1 // no pidfds here (ENOSYS; EPERM under an older seccomp profile)
	}
	fs, err := procFS()
	if err != nil {
		return false
	}
	p, err := fs.Proc(s.PID)
	if err != nil {
		return false
	}
	st, err := p.Stat()
	if err != nil || st.Starttime != s.Start {
		return false // gone, and perhaps its pid given to another
	}
	if pidfd < 0 {
		return syscall.Kill(s.PID, syscall.SIGKILL) == nil
	}
	return unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0) == nil
}
