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
	// OutputGrace is how long, once the server has exited, a wait for it
	// waits for the rest of its output while a process it started still
	// holds the pipe. The pipe stays open for that process: the new server
	// of a binary upgrade writes on, and its output is shown too.
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
	// outDone is closed once the output pipe has no writer left (the
	// server and every process it started closed it), or the check ended.
	outDone chan struct{}
	// closeOutput closes the read end of the output pipe.
	closeOutput func()
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
	// The output goes through a pipe of the harness's own, not one os/exec
	// closes once the server has exited: a process that outlives it keeps
	// writing there (the new server of a binary upgrade, or a worker that
	// failed to stop), and a closed pipe would make its writes fail
	// (EPIPE; a Python server's BrokenPipeError) and hide what it says.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("harness: output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	p, err := group.Start(cmd)
	w.Close() // the server has its copy
	switch {
	case errors.Is(err, serverproc.ErrStopped):
		r.Close()
		return nil, errStopped
	case err != nil:
		r.Close()
		return nil, fmt.Errorf("harness: start %s: %w", argv[0], err)
	}
	out := &syncBuffer{}
	s := &server{Process: p, argv: argv, port: port, out: out, outDone: make(chan struct{})}
	var once sync.Once
	s.closeOutput = func() { once.Do(func() { r.Close() }) }
	go func() {
		defer close(s.outDone)
		io.Copy(out, r) //nolint:errcheck // it ends at EOF, or when closeOutput closes r
	}()
	addr := net.JoinHostPort(Host, strconv.Itoa(port))
	if err := p.WaitReady(context.Background(), addr, ReadyTimeout); err != nil {
		if !errors.Is(err, serverproc.ErrExited) {
			s.Kill()
		}
		s.Wait(0) //nolint:errcheck // for its last output, which the failure shows: the error is WaitReady's
		return s, err
	}
	s.readyAt = s.settledOutput()
	return s, nil
}

// Wait is the Process's, and once the server has exited, it waits up to
// OutputGrace for the rest of its output (until every process that holds
// the pipe has closed it).
func (s *server) Wait(d time.Duration) (exited bool, err error) {
	exited, err = s.Process.Wait(d)
	if exited {
		select {
		case <-s.outDone:
		case <-time.After(OutputGrace):
		}
	}
	return exited, err
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
