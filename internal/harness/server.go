package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/internal/ports"
)

// Timeouts of the harness. They are generous because checks run under the
// race detector on a loaded two-core machine; a correct server answers in
// milliseconds, so only a wrong one ever waits for them.
const (
	// ReadyTimeout is how long a server may take to accept connections.
	ReadyTimeout = 10 * time.Second
	// StopTimeout is how long a stopped server may take to exit.
	StopTimeout = 15 * time.Second
	// ReadTimeout bounds every read a script makes.
	ReadTimeout = 10 * time.Second
)

// server is one running server under test.
type server struct {
	cmd  *exec.Cmd
	argv []string
	port int
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // exit error, valid after done
}

// syncBuffer collects a process's output; the process writes it while the
// harness may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// errNotReady is returned by startServer when the process ran but never
// accepted a connection.
var errNotReady = errors.New("harness: server not ready")

// Group is every server the scripts of one run have started, so that the
// run can end them all at once: on Ctrl+C, at the first failure with
// --failfast, when its output pipe is closed. The zero value is ready to
// use; a nil *Group tracks nothing.
type Group struct {
	mu      sync.Mutex
	stopped bool
	servers map[*server]bool
}

// errStopped is returned by startServer once its group is stopped.
var errStopped = errors.New("harness: the run was stopped")

// add tracks s, or kills it and reports false if the group is stopped.
func (g *Group) add(s *server) bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	if g.stopped {
		g.mu.Unlock()
		s.kill()
		return false
	}
	if g.servers == nil {
		g.servers = map[*server]bool{}
	}
	g.servers[s] = true
	g.mu.Unlock()
	return true
}

// remove stops tracking s, once it is dead.
func (g *Group) remove(s *server) {
	if g == nil {
		return
	}
	g.mu.Lock()
	delete(g.servers, s)
	g.mu.Unlock()
}

// Stop kills every server of the group with its process group, waits
// until each has exited, and makes every later start fail at once.
func (g *Group) Stop() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.stopped = true
	live := g.servers
	g.servers = nil
	g.mu.Unlock()
	var wg sync.WaitGroup
	for s := range live {
		wg.Go(s.kill)
	}
	wg.Wait()
}

// startServer starts argv with env and waits until port accepts a TCP
// connection, the process exits, or ReadyTimeout passes. The server joins
// group as soon as it runs.
func startServer(group *Group, argv, env []string, dir string, port int) (*server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// The server gets its own process group, so signals we send reach its
	// workers too only when it forwards them, as a real master must.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A worker that outlives its master (a bug the checks must report,
	// not hang on) keeps the output pipe open: stop waiting for it then.
	cmd.WaitDelay = StopTimeout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("harness: start %s: %w", argv[0], err)
	}
	s := &server{cmd: cmd, argv: argv, port: port, out: out, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if !group.add(s) {
		return nil, errStopped
	}

	addr := net.JoinHostPort(Host, strconv.Itoa(port))
	deadline := time.Now().Add(ReadyTimeout)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		if probe(addr) {
			return s, nil
		}
		select {
		case <-s.done:
			return s, fmt.Errorf("%w: it exited (%v) before accepting on %s", errNotReady, s.err, addr)
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			s.kill()
			return s, fmt.Errorf("%w: nothing accepted on %s within %v", errNotReady, addr, ReadyTimeout)
		}
	}
}

// ProbeLinger bounds how long the readiness probe waits for the server to
// close the probe's connection.
const ProbeLinger = time.Second

// probe reports whether a server accepts connections on addr. It leaves
// no trace: it half-closes its connection without sending a byte and
// waits (up to ProbeLinger) for the server to close its end, so that by
// the time the script runs, the server has counted the probe's
// connection out again. Otherwise a check that fills a connection limit
// (final's --max-conns) would find one slot still held by the probe.
func probe(addr string) bool {
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

// signal sends sig to the server process.
func (s *server) signal(sig os.Signal) error {
	select {
	case <-s.done:
		return fmt.Errorf("harness: server already exited (%v)", s.err)
	default:
	}
	return s.cmd.Process.Signal(sig)
}

// wait waits up to d for the server to exit and returns its exit error.
func (s *server) wait(d time.Duration) (exited bool, err error) {
	select { // an exited server wins over an expired timer
	case <-s.done:
		return true, s.err
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	select {
	case <-s.done:
		return true, s.err
	case <-ctx.Done():
		return false, nil
	}
}

// kill ends the server and anything left in its process group, and waits.
// The group goes first: a prefork server's workers share it, and they hold
// the server's output pipe too, so Wait would not return while one lives.
func (s *server) kill() {
	// Both fail only when there is nothing left to kill.
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// freePort returns a port for the server under test (see ports.Free).
// Another process may take it before the server binds it; startServer's
// caller retries on that.
func freePort() (int, error) {
	port, err := ports.Free(Host)
	if err != nil {
		return 0, fmt.Errorf("harness: %w", err)
	}
	return port, nil
}

// DumpEnv names the environment variable that, set to 1, makes a check
// that times out on the server ask each of its processes for a stack dump
// first: SIGABRT, which a Go program answers by printing every goroutine
// to its stderr (and exiting). The dumps land in the server's output,
// which the failure prints. It is for finding where a server hangs; a
// server in another language may just die, or write a core file.
const DumpEnv = "LEARN_DUMP_STUCK"

// dumpStuck sends SIGABRT to every live process in the server's process
// group, workers before the master, one at a time so their dumps do not
// interleave, if DumpEnv is set; it waits for each to exit, for at most a
// second.
func (s *server) dumpStuck() {
	if os.Getenv(DumpEnv) != "1" {
		return
	}
	master := s.cmd.Process.Pid
	ents, _ := os.ReadDir("/proc") // Linux; elsewhere, nothing to list
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == master {
			continue
		}
		if pgid, err := syscall.Getpgid(pid); err == nil && pgid == master {
			pids = append(pids, pid)
		}
	}
	for _, pid := range append(pids, master) {
		fmt.Fprintf(s.out, "\n--- %s: SIGABRT to pid %d for a stack dump\n", DumpEnv, pid)
		if syscall.Kill(pid, syscall.SIGABRT) != nil {
			continue
		}
		for deadline := time.Now().Add(time.Second); alive(pid) && time.Now().Before(deadline); {
			time.Sleep(pollEvery)
		}
	}
}
