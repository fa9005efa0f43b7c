package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/httpfromscratch/course/internal/ports"
	"github.com/httpfromscratch/course/internal/proc"
	"github.com/httpfromscratch/course/internal/serverproc"
)

// Timeouts of the servers a comparison starts.
const (
	// ReadyTimeout is how long a server may take to accept connections
	// (the course's contract, in package demo's doc).
	ReadyTimeout = serverproc.ReadyTimeout
	// StopTimeout is how long a server may take to exit after SIGINT
	// before it is killed.
	StopTimeout = 5 * time.Second
	// StartAttempts is how many free ports a server is tried on: another
	// process may take a port between our finding it free and the server
	// binding it.
	StartAttempts = 3
	// OutputTail is how many bytes of a server's output are kept to
	// explain a failure, 4 KiB.
	OutputTail = 4 << 10
)

// process is one server a comparison runs: a serverproc.Process, which
// starts, waits for and stops it, with its address and the tail of its
// output.
type process struct {
	*serverproc.Process
	addr string
	out  *tailBuffer
}

// startServer starts target on a free port of 127.0.0.1 and waits until it
// accepts a connection. It tries StartAttempts ports when the server exits
// before accepting (a lost race for the port looks like that).
func startServer(ctx context.Context, t Target) (*process, error) {
	var err error
	for range StartAttempts {
		var port int
		port, err = freePort()
		if err != nil {
			return nil, err
		}
		var p *process
		p, err = startProcess(t.Command(port), t.Env, net.JoinHostPort(loopback, strconv.Itoa(port)))
		if err != nil {
			return nil, err
		}
		err = p.WaitReady(ctx, p.addr, ReadyTimeout)
		if err == nil {
			return p, nil
		}
		p.stop()
		err = fmt.Errorf("%w%s", err, p.out.said())
		if !errors.Is(err, serverproc.ErrExited) {
			return nil, err
		}
	}
	return nil, err
}

// loopback is the only address compared servers listen on.
const loopback = "127.0.0.1"

// startProcess starts argv, its output kept in a tail buffer.
func startProcess(argv, env []string, addr string) (*process, error) {
	if len(argv) == 0 {
		return nil, errors.New("bench: empty server command")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out := &tailBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p, err := serverproc.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", argv[0], err)
	}
	return &process{Process: p, addr: addr, out: out}, nil
}

// stop asks the server to exit with SIGINT, as Ctrl+C would, kills it
// after StopTimeout, and then kills whatever is left in its process group
// (a prefork server's workers), so nothing outlives the comparison.
func (p *process) stop() { p.Stop(StopTimeout) }

// freePort returns a port for a server to compare (see ports.Free).
func freePort() (int, error) {
	port, err := ports.Free(loopback)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return port, nil
}

// tailBuffer keeps the last OutputTail bytes a process wrote.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - OutputTail; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// said returns what the process printed, as the end of an error message:
// its last line, or nothing.
func (b *tailBuffer) said() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := strings.TrimSpace(string(b.buf))
	if out == "" {
		return ""
	}
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return "; it said: " + out
}

// cpu returns the CPU time the server's processes have used so far: its
// process group's, which holds a prefork server's workers too.
func (p *process) cpu() (time.Duration, error) {
	return proc.GroupCPU(p.Pid())
}
