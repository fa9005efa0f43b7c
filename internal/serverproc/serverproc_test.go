package serverproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/proc"
	"github.com/httpfromscratch/course/internal/testkit"
)

// TestProbeWaitsForTheServerToClose: when the readiness probe returns, the
// server has closed the probe's connection already, so a script that fills
// a connection limit does not find a slot held by the probe.
func TestProbeWaitsForTheServerToClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var open atomic.Int32 // connections the server has not closed yet
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			open.Add(1)
			go func() {
				io.Copy(io.Discard, c) // to the client's EOF
				open.Add(-1)           // counted out before the close, as final does
				c.Close()
			}()
		}
	}()
	if !Probe(ln.Addr().String()) {
		t.Fatal("probe of a listening server = false, want true")
	}
	if n := open.Load(); n != 0 {
		t.Errorf("after the probe, the server holds %d connections, want 0", n)
	}
}

// TestProbeOfAServerThatNeverCloses: a server that keeps the probe's
// connection open is still ready; the probe stops waiting.
func TestProbeOfAServerThatNeverCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // the accept queue holds the probe's connection, unread
	if !Probe(ln.Addr().String()) {
		t.Fatal("probe of a server that never closes = false, want true")
	}
}

func TestProbeOfNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if Probe(addr) {
		t.Errorf("probe of a closed port = true, want false")
	}
}

// helperEnv, when set, makes the test binary a server instead of running
// tests. Its value is the mode:
//
//	serve        listen on the address in $HELPER_ADDR until SIGINT, then exit 0
//	patient      the same, trying every 10 ms (for 10 s) while the address is taken
//	exit         print "cannot serve" and exit 3 at once
//	prefork      start a worker in the same process group, print "worker PID",
//	             and exit 0 on SIGINT without it; listen nowhere
//	prefork-pipe the same, with a worker that holds the output pipe open
//	prefork-setsid  prefork, with the worker in a session of its own
//	worker       a prefork master's worker: ignore SIGINT, hang
//	deaf         ignore SIGINT, print "ready", listen nowhere, hang
const helperEnv = "SERVERPROC_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

func helper(mode string) int {
	switch mode {
	case "serve", "patient":
		ln, err := net.Listen("tcp", os.Getenv("HELPER_ADDR"))
		for deadline := time.Now().Add(10 * time.Second); err != nil && mode == "patient" && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			ln, err = net.Listen("tcp", os.Getenv("HELPER_ADDR"))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { io.Copy(io.Discard, c); c.Close() }()
			}
		}()
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
		return 0
	case "exit":
		fmt.Println("cannot serve")
		return 3
	case "prefork", "prefork-pipe", "prefork-setsid":
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"=worker")
		switch mode {
		case "prefork-pipe":
			cmd.Stdout = os.Stdout
		case "prefork-setsid":
			newSession(cmd)
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("worker %d\n", cmd.Process.Pid)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
		return 0 // without waiting for the worker, which lives on
	case "worker", "deaf":
		signal.Ignore(os.Interrupt)
		if mode == "deaf" {
			fmt.Println("ready")
		}
		time.Sleep(time.Hour) // until killed
		return 0
	}
	return 2
}

// syncBuffer collects a helper's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startHelper starts the test binary as a helper in mode; it is killed
// when the test ends.
func startHelper(t *testing.T, g *Group, mode string, env ...string) (*Process, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	// A race-detector binary sleeps a second before it exits, unless told not to.
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0"), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p, err := g.Start(cmd)
	if err != nil {
		t.Fatalf("start %s helper: %v", mode, err)
	}
	t.Cleanup(p.Kill)
	return p, out
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestStartWaitReadyStop(t *testing.T) {
	addr := freeAddr(t)
	p, _ := startHelper(t, nil, "serve", "HELPER_ADDR="+addr)
	if err := p.WaitReady(context.Background(), addr, ReadyTimeout); err != nil {
		t.Fatalf("WaitReady = %v, want nil", err)
	}
	if exited, _ := p.Exited(); exited {
		t.Fatal("Exited() = true for a serving server")
	}
	p.Stop(ReadyTimeout) // SIGINT: it exits 0 on its own
	exited, err := p.Exited()
	if !exited || err != nil {
		t.Errorf("after Stop, Exited() = %v, %v, want true, nil (a clean exit on SIGINT)", exited, err)
	}
	if Probe(addr) {
		t.Errorf("something still accepts on %s after Stop", addr)
	}
	if err := p.Signal(os.Interrupt); err == nil {
		t.Errorf("Signal to an exited server = nil, want an error")
	}
}

// foreignListener listens on a loopback port in the test process, which
// is in no helper's process group, and closes what it accepts at once, as
// a server that the probe meets would. It stops when the test ends.
func foreignListener(t *testing.T) net.Listener {
	t.Helper()
	ln := testkit.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}

// TestWaitReadyWaitsForTheServersOwnListener: while another process's
// listener answers on the port, the server is not ready; once it goes and
// the server takes the port, it is.
func TestWaitReadyWaitsForTheServersOwnListener(t *testing.T) {
	if !proc.Supported {
		t.Skip("telling whose a listener is needs /proc")
	}
	foreign := foreignListener(t)
	addr := foreign.Addr().String()
	p, _ := startHelper(t, nil, "patient", "HELPER_ADDR="+addr)
	ready := make(chan error, 1)
	go func() { ready <- p.WaitReady(context.Background(), addr, ReadyTimeout) }()
	select {
	case err := <-ready:
		t.Fatalf("WaitReady = %v while only the test's own listener answered", err)
	case <-time.After(ForeignGrace / 4):
	}
	foreign.Close()
	if err := <-ready; err != nil {
		t.Fatalf("WaitReady once the server could listen = %v, want nil", err)
	}
	if !p.listensOn(addr) {
		t.Errorf("WaitReady returned before the server listened on %s", addr)
	}
}

// TestWaitReadyTakesAForeignListenerInTheEnd: a server whose socket
// another process holds for it (a container's forwarded port) is ready
// after ForeignGrace.
func TestWaitReadyTakesAForeignListenerInTheEnd(t *testing.T) {
	if !proc.Supported {
		t.Skip("telling whose a listener is needs /proc")
	}
	addr := foreignListener(t).Addr().String()
	p, _ := startHelper(t, nil, "deaf")
	start := time.Now()
	if err := p.WaitReady(context.Background(), addr, ForeignGrace+ReadyTimeout); err != nil {
		t.Fatalf("WaitReady = %v, want nil after ForeignGrace", err)
	}
	if waited := time.Since(start); waited < ForeignGrace {
		t.Errorf("WaitReady returned after %v, before ForeignGrace (%v)", waited, ForeignGrace)
	}
}

// TestWaitReadyTimesOutOnAForeignListener: a timeout shorter than
// ForeignGrace, with another program on the port all along, says so
// rather than "nothing accepted".
func TestWaitReadyTimesOutOnAForeignListener(t *testing.T) {
	if !proc.Supported {
		t.Skip("telling whose a listener is needs /proc")
	}
	addr := foreignListener(t).Addr().String()
	p, _ := startHelper(t, nil, "deaf")
	err := p.WaitReady(context.Background(), addr, ForeignGrace/10)
	var re *ReadyError
	if !errors.Is(err, ErrNotReady) || !errors.As(err, &re) || !re.Foreign ||
		!strings.Contains(err.Error(), "another program holds "+addr) {
		t.Fatalf("WaitReady = %v, want ErrNotReady naming another program", err)
	}
}

func TestWaitReadyExited(t *testing.T) {
	p, out := startHelper(t, nil, "exit")
	err := p.WaitReady(context.Background(), freeAddr(t), ReadyTimeout)
	var re *ReadyError
	if !errors.Is(err, ErrExited) || !errors.As(err, &re) || !strings.Contains(err.Error(), "exited (exit status 3) before accepting") {
		t.Fatalf("WaitReady = %v, want a *ReadyError wrapping ErrExited with the exit status", err)
	}
	if got := out.String(); got != "cannot serve\n" {
		t.Errorf("output = %q, want %q", got, "cannot serve\n")
	}
}

func TestWaitReadyTimesOut(t *testing.T) {
	p, _ := startHelper(t, nil, "deaf")
	err := p.WaitReady(context.Background(), freeAddr(t), 50*time.Millisecond)
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "nothing accepted on ") {
		t.Fatalf("WaitReady = %v, want ErrNotReady", err)
	}
	if exited, _ := p.Exited(); exited {
		t.Error("WaitReady killed the server; the caller decides")
	}
}

func TestWaitReadyCancelled(t *testing.T) {
	p, _ := startHelper(t, nil, "deaf")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.WaitReady(ctx, freeAddr(t), ReadyTimeout); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitReady = %v, want context.Canceled", err)
	}
}

// waitOutput polls the helper's output until it has printed a line
// starting with prefix, and returns the rest of that line.
func waitOutput(t *testing.T, out *syncBuffer, prefix string) string {
	t.Helper()
	for deadline := time.Now().Add(ReadyTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for line := range strings.Lines(out.String()) {
			if rest, ok := strings.CutPrefix(line, prefix); ok && strings.HasSuffix(rest, "\n") {
				return strings.TrimSuffix(rest, "\n")
			}
		}
	}
	t.Fatalf("the helper printed no %q line within %v: %q", prefix, ReadyTimeout, out.String())
	return ""
}

// waitWorker returns the pid a prefork helper prints.
func waitWorker(t *testing.T, out *syncBuffer) int {
	t.Helper()
	pid, err := strconv.Atoi(waitOutput(t, out, "worker "))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitGone waits until pid has exited: a process group kill is delivered
// at once, but the worker, orphaned, is reaped by init on its own time
// (a zombie does not count as alive).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(ReadyTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !proc.Alive(pid) {
			return
		}
	}
	t.Errorf("worker %d still runs %v after its server was stopped", pid, ReadyTimeout)
}

func TestStopKillsTheWorkers(t *testing.T) {
	p, out := startHelper(t, nil, "prefork")
	worker := waitWorker(t, out)
	if !p.InGroup(worker) {
		t.Fatalf("InGroup(worker %d) = false, want true", worker)
	}
	if p.InGroup(os.Getpid()) {
		t.Fatalf("InGroup(the test, %d) = true, want false", os.Getpid())
	}
	// DumpStuck signals these: the workers, not the master.
	if got := groupMembers(p.Pid()); proc.Supported && !slices.Equal(got, []int{worker}) {
		t.Fatalf("groupMembers(master %d) = %v, want [%d], the worker alone", p.Pid(), got, worker)
	}
	// The master exits on SIGINT and leaves its worker behind: Stop must
	// end it too.
	p.Stop(ReadyTimeout)
	if exited, err := p.Exited(); !exited || err != nil {
		t.Errorf("after Stop, Exited() = %v, %v, want true, nil (a clean exit on SIGINT)", exited, err)
	}
	waitGone(t, worker)
}

// TestStopKillsAStrayWorker: a worker that left the server's process
// group (setsid) is not reached by the group's kill; Stop finds it while
// the server runs, and kills it once the server is gone.
func TestStopKillsAStrayWorker(t *testing.T) {
	if !proc.Supported || !sessionsSupported {
		t.Skip("finding a process that left its group needs /proc and setsid")
	}
	p, out := startHelper(t, nil, "prefork-setsid")
	worker := waitWorker(t, out)
	strays := p.Strays()
	t.Cleanup(func() { // should Stop miss it
		for _, s := range strays {
			s.Kill()
		}
	})
	if p.InGroup(worker) {
		t.Fatalf("the setsid worker %d is in the server's group", worker)
	}
	if len(strays) != 1 || strays[0].PID != worker {
		t.Fatalf("Strays() = %v, want the worker %d alone", strays, worker)
	}
	p.Stop(ReadyTimeout)
	waitGone(t, worker)
}

func TestGroupStop(t *testing.T) {
	g := &Group{}
	// The worker holds the output pipe: Kill must not wait for it.
	_, out := startHelper(t, g, "prefork-pipe")
	worker := waitWorker(t, out)
	p2, _ := startHelper(t, g, "deaf")
	g.Stop()
	if exited, _ := p2.Exited(); !exited {
		t.Error("a server of the group still runs after Stop")
	}
	waitGone(t, worker)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=deaf")
	if p, err := g.Start(cmd); !errors.Is(err, ErrStopped) || p != nil {
		t.Errorf("Start after Stop = %v, %v, want nil, ErrStopped", p, err)
	}
	if cmd.Process == nil || cmd.ProcessState == nil {
		t.Errorf("the server started after Stop was not started and killed: %v", cmd.ProcessState)
	}
}

func TestDumpStuck(t *testing.T) {
	t.Setenv(DumpEnv, "1")
	p, out := startHelper(t, nil, "deaf")
	waitOutput(t, out, "ready") // main runs: the runtime handles SIGABRT
	p.DumpStuck(out)
	exited, _ := p.Wait(ReadyTimeout)
	if !exited {
		t.Fatal("the server still runs after DumpStuck")
	}
	got := out.String()
	if !strings.Contains(got, fmt.Sprintf("%s: SIGABRT to pid %d", DumpEnv, p.Pid())) || !strings.Contains(got, "goroutine ") {
		t.Errorf("output = %q, want the SIGABRT line and a goroutine dump", got)
	}
}

func TestDumpStuckNeedsTheVariable(t *testing.T) {
	t.Setenv(DumpEnv, "")
	p, out := startHelper(t, nil, "deaf")
	waitOutput(t, out, "ready")
	p.DumpStuck(out)
	if exited, _ := p.Exited(); exited || out.String() != "ready\n" {
		t.Errorf("without %s=1, DumpStuck acted: exited %v, output %q", DumpEnv, exited, out.String())
	}
}
