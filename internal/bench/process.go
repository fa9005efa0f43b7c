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
)

// Timeouts of the servers a comparison starts.
const (
	// ReadyTimeout is how long a server may take to accept connections
	// (the course's contract, in package demo's doc).
	ReadyTimeout = 10 * time.Second
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

// process is one server a comparison runs.
type process struct {
	cmd  *exec.Cmd
	addr string
	out  *tailBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit error, valid after done
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
		err = p.waitReady(ctx)
		if err == nil {
			return p, nil
		}
		p.stop()
		if !errors.Is(err, errExited) {
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
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", argv[0], err)
	}
	p := &process{cmd: cmd, addr: addr, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls the server's port, 5 ms doubling to 200 ms apart, until
// it accepts, the process exits, ReadyTimeout passes or ctx is done.
func (p *process) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(ReadyTimeout)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			// A socket connected to itself (a dial to a free ephemeral
			// port can be) is no server.
			self := c.LocalAddr().String() == c.RemoteAddr().String()
			c.Close()
			if !self {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing accepted on %s within %v%s", p.addr, ReadyTimeout, p.out.said())
		}
		t := time.NewTimer(delay)
		select {
		case <-p.done:
			t.Stop()
			return fmt.Errorf("%w (%v)%s", errExited, p.err, p.out.said())
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// exited reports whether the process has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// stop asks the server to exit with SIGINT, as Ctrl+C would, kills it
// after StopTimeout, and then kills whatever is left in its process group
// (a prefork server's workers), so nothing outlives the comparison.
func (p *process) stop() {
	interrupt(p.cmd)
	t := time.NewTimer(StopTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill() // fails only if it exited meanwhile: p.done says so
		<-p.done
	}
	killGroup(p.cmd)
}

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
	return proc.GroupCPU(p.cmd.Process.Pid)
}
