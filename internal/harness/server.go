package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpfromscratch/course/internal/ports"
	"github.com/httpfromscratch/course/internal/serverproc"
)

// Timeouts of the harness. They are generous because checks run under the
// race detector on a loaded two-core machine; a correct server answers in
// milliseconds, so only a wrong one ever waits for them.
const (
	// ReadyTimeout is how long a server may take to accept connections.
	ReadyTimeout = serverproc.ReadyTimeout
	// StopTimeout is how long a stopped server may take to exit.
	StopTimeout = 15 * time.Second
	// OutputGrace is how long, once the server has exited, its output is
	// still read while a process it started holds the pipe.
	OutputGrace = 2 * time.Second
	// ReadTimeout bounds every read a script makes.
	ReadTimeout = 10 * time.Second
)

// server is one running server under test: a serverproc.Process, which
// starts, waits for and stops it, and what the scripts need to know of it.
type server struct {
	*serverproc.Process
	argv []string
	port int
	out  *syncBuffer
	// readyAt is how many bytes of output the server had written when
	// it was found ready: the rest came during the check.
	readyAt int
	// signalled records that a command sent the server a signal: its
	// exit may be what the check asked for.
	signalled atomic.Bool
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

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Group is every server the scripts of one run have started, so that the
// run can end them all at once: on Ctrl+C, at the first failure with
// --failfast, when its output pipe is closed. The zero value is ready to
// use; a nil *Group tracks nothing.
type Group = serverproc.Group

// errStopped is returned by startServer once its group is stopped.
var errStopped = errors.New("harness: the run was stopped")

// startServer starts argv with env and waits until port accepts a TCP
// connection (serverproc.Probe), the process exits, or ReadyTimeout
// passes; in the last case it kills the server. The server joins group as
// soon as it runs. The error of a server that ran but did not come up is
// a *serverproc.ReadyError, returned with the server for its output.
func startServer(group *Group, argv, env []string, dir string, port int) (*server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// A process that outlives the server keeps the output pipe open: a
	// worker that failed to stop (a bug the checks report by its pid, not
	// hang on), or the new server of a binary upgrade. The output that
	// was written is read within OutputGrace; then the wait ends.
	cmd.WaitDelay = OutputGrace
	p, err := group.Start(cmd)
	switch {
	case errors.Is(err, serverproc.ErrStopped):
		return nil, errStopped
	case err != nil:
		return nil, fmt.Errorf("harness: start %s: %w", argv[0], err)
	}
	s := &server{Process: p, argv: argv, port: port, out: out}
	addr := net.JoinHostPort(Host, strconv.Itoa(port))
	if err := p.WaitReady(context.Background(), addr, ReadyTimeout); err != nil {
		if !errors.Is(err, serverproc.ErrExited) {
			s.Kill()
		}
		return s, err
	}
	s.readyAt = s.settledOutput()
	return s, nil
}

// OutputSettle is how long the output of a server found ready must stay
// unchanged before the checks begin, so that what it writes on the
// readiness probe (a crash on a connection closed without a byte lands
// in its output a moment after the close) is told apart from what it
// writes during the check.
const OutputSettle = 30 * time.Millisecond

// settledOutput waits until the server's output has not grown for
// OutputSettle, for at most ten times that, and returns its length.
func (s *server) settledOutput() int {
	n := s.out.Len()
	for range 10 {
		time.Sleep(OutputSettle)
		m := s.out.Len()
		if m == n {
			break
		}
		n = m
	}
	return n
}

// dumpStuck asks each of the server's processes for a stack dump, into
// its output, if DumpEnv is set (see serverproc.Process.DumpStuck).
func (s *server) dumpStuck() { s.DumpStuck(s.out) }

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
const DumpEnv = serverproc.DumpEnv
