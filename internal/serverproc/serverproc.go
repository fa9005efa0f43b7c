// Package serverproc is the one way the course's tools run a server under
// test in another process: the harness (`learn test`, `learn check`) and
// the bench (`learn bench`) both start it with Start, wait until it
// accepts connections with WaitReady, and end it, with every worker it
// started, with Stop or Kill.
//
// A server runs in a process group of its own: Ctrl+C in the terminal
// reaches only the tool, which stops its servers itself, and Kill reaches a
// prefork server's workers too. Process groups are a Unix notion;
// elsewhere a server is one process.
package serverproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/httpfromscratch/course/internal/proc"
)

const (
	// ReadyTimeout is how long a server may take to accept connections:
	// the course's contract (package demo's doc). It is generous because
	// checks run under the race detector on a loaded two-core machine; a
	// correct server is up in milliseconds, so only a broken one waits
	// it out.
	ReadyTimeout = 10 * time.Second
	// WaitDelay is the cmd.WaitDelay Start sets when the caller left it
	// zero: how long, once the server has exited, Wait waits for its
	// output pipes to close. A worker that outlives its master (a bug a
	// check must report, not hang on) holds them open.
	WaitDelay = 15 * time.Second
	// ProbeLinger bounds how long the readiness probe waits for the
	// server to close the probe's connection.
	ProbeLinger = time.Second
	// ForeignGrace is how long WaitReady goes on waiting while the port
	// answers but no process of the server's group holds the listening
	// socket (as far as /proc tells, on Linux). That is another program's
	// listener, still on the port when the server started: taken for the
	// server, it would send the first check to the wrong place, or nowhere
	// once it goes. After ForeignGrace the answer is taken as the server's
	// after all: a server run through something that listens for it, such
	// as a container's forwarded port, is never seen holding the socket.
	ForeignGrace = 2 * time.Second
	// DumpEnv names the environment variable that, set to 1, makes
	// DumpStuck ask each of a server's processes for a stack dump.
	DumpEnv = "LEARN_DUMP_STUCK"
)

// Errors of WaitReady and Group.Start.
var (
	// ErrExited is wrapped by WaitReady's error when the server exited
	// before it accepted a connection: a bad command line, or a lost race
	// for the port.
	ErrExited = errors.New("serverproc: exited before accepting connections")
	// ErrNotReady is wrapped by WaitReady's error when nothing accepted
	// connections within the timeout.
	ErrNotReady = errors.New("serverproc: nothing accepted connections")
	// ErrStopped is returned by Group.Start once the group is stopped.
	ErrStopped = errors.New("serverproc: the group was stopped")
)

// Process is one server started by Start.
type Process struct {
	cmd  *exec.Cmd
	self proc.Stray    // its pid and start time, where /proc tells them
	done chan struct{} // closed when the process has exited and been waited for
	err  error         // its exit error, valid after done
}

// Start starts cmd, which the caller has set up (arguments, environment,
// directory, output), in a process group of its own, and waits for its
// exit in the background. It sets cmd.WaitDelay to WaitDelay if it is
// zero. The error is cmd.Start's.
func Start(cmd *exec.Cmd) (*Process, error) {
	setProcessGroup(cmd)
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = WaitDelay
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	p.self, _ = proc.Identify(cmd.Process.Pid) // zero where /proc cannot tell: no strays then
	go func() {
		p.err = cmd.Wait()
		if errors.Is(p.err, exec.ErrWaitDelay) {
			// It exited 0; a process it started outlives it and still
			// holds the output (the successor of a binary upgrade, or a
			// worker that failed to stop, which the checks catch by its
			// pid): the exit is what is asked.
			p.err = nil
		}
		close(p.done)
	}()
	return p, nil
}

// Pid returns the process id of the server, which is also its process
// group's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports, without waiting, whether the server has exited, and
// its exit error if it has.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Wait waits up to d for the server to exit and returns its exit error.
// A server that has exited wins over a d of 0.
func (p *Process) Wait(d time.Duration) (exited bool, err error) {
	if exited, err := p.Exited(); exited {
		return true, err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true, p.err
	case <-t.C:
		return false, nil
	}
}

// Signal sends sig to the server process (not its group: a prefork master
// forwards what its workers must hear, as a real one must). It fails if
// the server has exited.
func (p *Process) Signal(sig os.Signal) error {
	if exited, err := p.Exited(); exited {
		return fmt.Errorf("serverproc: the server already exited (%v)", err)
	}
	return p.cmd.Process.Signal(sig)
}

// Kill ends the server, anything left in its process group and its
// strays (see Strays), and waits until it has exited. The group goes
// first: a prefork server's workers share it, and they hold the server's
// output pipe too, so the wait would not end while one lives.
func (p *Process) Kill() { p.kill(p.Strays()) }

// Strays lists the server's descendants that left its process group (a
// worker started with setsid, say), which a kill of the group misses; on
// Linux, while the server runs, and never elsewhere. Once the server has
// exited, its children hang from init and cannot be told from anyone's.
func (p *Process) Strays() []proc.Stray {
	if exited, _ := p.Exited(); exited || p.self.PID == 0 {
		return nil
	}
	// Checked against the server's start time in the same reading of
	// /proc: reaped before done closes, its pid may be another's.
	strays, _ := proc.Strays(p.self) // none where /proc cannot tell
	return strays
}

// kill is Kill, with strays found before.
func (p *Process) kill(strays []proc.Stray) {
	killGroup(p.Pid()) // fails only when nothing is left to kill
	for _, s := range strays {
		s.Kill() // false when it is gone already
	}
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill() // fails only if it exited meanwhile: done says so
		<-p.done
	}
}

// Stop asks the server to exit as Ctrl+C would (SIGINT; elsewhere it kills
// it), waits up to grace for it, and then kills it, whatever is left in
// its process group and its strays, found before it could exit, so
// nothing outlives it.
func (p *Process) Stop(grace time.Duration) {
	strays := p.Strays()
	if exited, _ := p.Exited(); !exited {
		_ = interrupt(p.cmd.Process) // fails only once it has exited: Wait sees that
		_, _ = p.Wait(grace)         // exited or not, kill comes next; its exit error is Exited's to tell
	}
	p.kill(append(strays, p.Strays()...))
}

// InGroup reports whether pid is in the server's process group: the server
// or one of its workers.
func (p *Process) InGroup(pid int) bool { return inGroup(pid, p.Pid()) }

// ReadyError is WaitReady's error when the server did not come up. It
// wraps ErrExited or ErrNotReady.
type ReadyError struct {
	Addr    string
	Exited  bool          // the server exited first
	ExitErr error         // its exit error, if it exited
	Timeout time.Duration // how long WaitReady waited, if it did not
	// Foreign reports that the port did answer, to the end, but for
	// another program: the server never took it.
	Foreign bool
}

func (e *ReadyError) Error() string {
	if e.Exited {
		status := "exit status 0"
		if e.ExitErr != nil {
			status = e.ExitErr.Error()
		}
		return fmt.Sprintf("exited (%s) before accepting connections on %s", status, e.Addr)
	}
	if e.Foreign {
		return fmt.Sprintf("another program holds %s: the server did not listen there within %v", e.Addr, e.Timeout)
	}
	return fmt.Sprintf("nothing accepted on %s within %v", e.Addr, e.Timeout)
}

func (e *ReadyError) Unwrap() error {
	if e.Exited {
		return ErrExited
	}
	return ErrNotReady
}

// WaitReady probes addr (see Probe), 5 ms doubling to 200 ms apart, until
// the server accepts a connection there, it exits, timeout passes or ctx
// is done. It returns nil, a *ReadyError, or ctx's error. It leaves the
// server running either way: the caller decides whether to Kill it.
//
// An answer counts once the listening socket is the server's (see
// ForeignGrace): the port was free when the caller chose it, but a
// program that outlived another run can still hold it for a moment.
func (p *Process) WaitReady(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var foreignSince time.Time // when the port first answered for someone else
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		foreign := false
		if Probe(addr) {
			if p.listensOn(addr) {
				return nil
			}
			foreign = true
			if foreignSince.IsZero() {
				foreignSince = time.Now()
			} else if time.Since(foreignSince) >= ForeignGrace {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return &ReadyError{Addr: addr, Timeout: timeout, Foreign: foreign}
		}
		t := time.NewTimer(delay)
		select {
		case <-p.done:
			t.Stop()
			return &ReadyError{Addr: addr, Exited: true, ExitErr: p.err}
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// groupMembers lists the processes of group pgid other than its leader,
// from /proc (Linux); elsewhere it finds none.
func groupMembers(pgid int) []int {
	pids, _ := proc.GroupPIDs(pgid) // none where /proc cannot tell
	return slices.DeleteFunc(pids, func(pid int) bool { return pid == pgid })
}

// listensOn reports whether a process of the server's group holds the
// socket listening on addr's port, or that nobody can tell (no /proc).
func (p *Process) listensOn(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return true
	}
	ours, err := proc.GroupListens(p.Pid(), n)
	return ours || err != nil
}

// Probe reports whether a server accepts connections on addr. It leaves
// no trace: it half-closes its connection without sending a byte and
// waits (up to ProbeLinger) for the server to close its end, so that by
// the time it returns, the server has counted the probe's connection out
// again. Otherwise a check that fills a connection limit (final's
// --max-conns), or a benchmark that counts a server's connections, would
// find one still held by the probe.
func Probe(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	// A dial to a free port in the ephemeral range can connect the
	// socket to itself (TCP simultaneous open, when the kernel picks that
	// very port as the source): that is no server.
	if c.LocalAddr().String() == c.RemoteAddr().String() {
		return false
	}
	if tc, ok := c.(*net.TCPConn); ok && tc.CloseWrite() == nil {
		c.SetReadDeadline(time.Now().Add(ProbeLinger))
		// Until the server closes, or ProbeLinger: either way the probe is done.
		_, _ = io.Copy(io.Discard, c)
	}
	return true
}

// DumpStuck, if DumpEnv is set to 1, sends SIGABRT to every live process
// in the server's process group, workers before the master, one at a time
// so that their dumps do not interleave, and waits for each to exit, for
// at most a second. A Go program answers SIGABRT by printing every
// goroutine to its stderr, which the caller collects; before each signal
// DumpStuck writes a line saying which pid it goes to on w (the server's
// output, so the line lands before the dump). It is for finding where a
// server hangs, just before it is killed; a server in another language
// may just die, or write a core file. Elsewhere than Unix it does nothing.
func (p *Process) DumpStuck(w io.Writer) {
	if os.Getenv(DumpEnv) != "1" {
		return
	}
	master := p.Pid()
	for _, pid := range append(groupMembers(master), master) {
		fmt.Fprintf(w, "\n--- %s: SIGABRT to pid %d for a stack dump\n", DumpEnv, pid)
		if abort(pid) != nil {
			continue
		}
		for deadline := time.Now().Add(time.Second); proc.Alive(pid) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Group is a set of servers that can all be ended at once: on Ctrl+C, at
// the first failure with --failfast, when the output pipe is closed. The
// zero value is ready to use; a nil *Group tracks nothing.
type Group struct {
	mu      sync.Mutex
	stopped bool
	procs   map[*Process]bool
}

// Start starts cmd as the package's Start does and adds the server to g,
// unless g is stopped: then it kills the server at once and returns
// ErrStopped.
func (g *Group) Start(cmd *exec.Cmd) (*Process, error) {
	p, err := Start(cmd)
	if err != nil || g == nil {
		return p, err
	}
	g.mu.Lock()
	if g.stopped {
		g.mu.Unlock()
		p.Kill()
		return nil, ErrStopped
	}
	if g.procs == nil {
		g.procs = map[*Process]bool{}
	}
	g.procs[p] = true
	g.mu.Unlock()
	return p, nil
}

// Remove stops tracking p, once it is dead.
func (g *Group) Remove(p *Process) {
	if g == nil {
		return
	}
	g.mu.Lock()
	delete(g.procs, p)
	g.mu.Unlock()
}

// Stop kills every server of the group with its process group, waits
// until each has exited, and makes every later Start fail with
// ErrStopped.
func (g *Group) Stop() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.stopped = true
	live := g.procs
	g.procs = nil
	g.mu.Unlock()
	var wg sync.WaitGroup
	for p := range live {
		wg.Go(p.Kill)
	}
	wg.Wait()
}
