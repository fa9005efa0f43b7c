package ch06

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// The test binary plays every part: the test itself, a worker (when a
// Master started it), and a master in a process of its own (for the
// orphan test).
const (
	roleEnv       = "CH06_TEST_ROLE"           // "master": run a master of two workers
	testWorkerEnv = "CH06_TEST_WORKER_PROCESS" // "1": a worker of these tests, not learn's
	// behaviourEnv: "crash": exit at once; "ignore-term": ignore SIGTERM;
	// "fail-stop": exit 1 on SIGTERM; "slow-ready": report ready after
	// slowFor; "slow-stop": stop slowFor after SIGTERM.
	behaviourEnv = "CH06_TEST_WORKER"
	// termDirEnv names a directory where a test worker adds a line to a
	// file named after its pid for each SIGTERM it receives.
	termDirEnv = "CH06_TEST_TERM_DIR"
	slowFor    = 1500 * time.Millisecond
)

// init turns the test binary into a worker or a master when a test
// started it as one; it runs before TestMain, which belongs to the scripts.
func init() {
	switch {
	case os.Getenv(behaviourEnv) != "" || (IsWorker(os.Getenv) && os.Getenv(testWorkerEnv) == "1"):
		os.Exit(testWorker())
	case os.Getenv(roleEnv) == "master":
		os.Exit(testMaster())
	}
}

// testWorker serves its pid to every connection until SIGTERM or the
// master's death.
func testWorker() int {
	if os.Getenv(behaviourEnv) == "crash" {
		return 3
	}
	ln, err := InheritedListener()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	lns := []net.Listener{ln}
	f, err := InheritedFile("extra") // TestFiles's
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if f != nil {
		extra, err := net.FileListener(f)
		f.Close() // FileListener duplicated it
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		lns = append(lns, extra)
	}
	stop := make(chan os.Signal, 1)
	if os.Getenv(behaviourEnv) == "ignore-term" {
		signal.Ignore(syscall.SIGTERM) // a stuck worker: only SIGKILL ends it
		if err := os.WriteFile(readyFile(os.Getpid()), nil, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	} else {
		signal.Notify(stop, syscall.SIGTERM)
	}
	if dir := os.Getenv(termDirEnv); dir != "" {
		terms := make(chan os.Signal, 4)
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			for range terms {
				f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				if err == nil {
					f.WriteString("SIGTERM\n")
					f.Close()
				}
			}
		}()
	}
	gone := make(chan struct{})
	if err := WatchMaster(func() { close(gone) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv(behaviourEnv) == "slow-ready" {
		time.Sleep(slowFor) // a worker loading its app: no heartbeat yet
	}
	// SIGUSR1 (reopen the logs) is handled from here on, as a server
	// handles it once set up: each one received leaves a file behind.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			os.WriteFile(usr1File(os.Getpid()), nil, 0o644)
		}
	}()
	if err := NotifyReady(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var served sync.WaitGroup
	for _, ln := range lns {
		served.Go(func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				fmt.Fprintf(c, "%d\n", os.Getpid())
				c.Close()
			}
		})
	}
	select {
	case <-stop:
	case <-gone:
	}
	// Stop gracefully: no more accepts, and the connection accepted last
	// is answered before the process exits.
	for _, ln := range lns {
		ln.Close()
	}
	served.Wait()
	if os.Getenv(behaviourEnv) == "slow-stop" {
		time.Sleep(slowFor) // requests still finishing
	}
	if os.Getenv(behaviourEnv) == "fail-stop" {
		return 1 // as a worker whose graceful stop had to cut requests
	}
	return 0
}

// testMaster runs a master of two workers on a free port and prints each
// worker's pid line, until SIGTERM; SIGHUP reloads them.
func testMaster() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	m := &Master{Workers: 2, Env: []string{testWorkerEnv + "=1"}, Logf: func(f string, a ...any) { fmt.Printf(f+"\n", a...) }}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for sig := range hup {
			m.HandleSignal(sig)
		}
	}()
	if err := m.Run(ctx, ln); err != nil {
		return 1
	}
	return 0
}

func alive(pid int) bool {
	stat, ok := procStat(strconv.Itoa(pid))
	if !ok {
		return syscall.Kill(pid, 0) == nil
	}
	// A zombie has exited; only its parent's wait is missing.
	return stat[0] != "Z"
}

// procStat returns the fields of /proc/PID/stat after the command name
// (which may hold spaces): the state first, then the parent's pid.
func procStat(pid string) ([]string, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return f, len(f) > 1
}

// servedBy connects and reads the pid of the worker that accepted.
func servedBy(t *testing.T, addr string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("read pid: %q", line)
	}
	return pid
}

func startMaster(t *testing.T, m *Master) (addr string, errc chan error, cancel func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	errc = make(chan error, 1)
	go func() { errc <- m.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-errc
	})
	return ln.Addr().String(), errc, cancel
}

func TestWorkersShareTheSocketAndAreReplaced(t *testing.T) {
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard}
	serving := m.Serving() // before Run: the same channel
	addr, errc, cancel := startMaster(t, m)
	select {
	case <-serving:
	case <-time.After(DefaultReadyTimeout):
		t.Fatalf("Serving() not closed %v after the start", DefaultReadyTimeout)
	}
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	pids := m.Pids()

	// Every connection is served by one of the workers, never the master.
	for range 10 {
		if pid := servedBy(t, addr); !slices.Contains(pids, pid) {
			t.Fatalf("served by pid %d, want one of the workers %v", pid, pids)
		}
	}

	// A worker killed outright is replaced by a new process.
	victim := pids[0]
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the killed worker to be replaced", func() bool {
		now := m.Pids()
		return len(now) == 2 && !slices.Contains(now, victim)
	})
	if pid := servedBy(t, addr); pid == victim {
		t.Errorf("served by the killed worker %d", pid)
	}

	// Stopping the master stops every worker.
	last := m.Pids()
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run() = %v, want nil after cancel", err)
	}
	errc <- nil // for the cleanup
	for _, pid := range last {
		if alive(pid) {
			t.Errorf("worker %d still alive after the master stopped", pid)
		}
	}
}

func TestCrashLoopStopsTheMaster(t *testing.T) {
	var logged []string
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=crash"},
		MaxCrashes: 3, Stdout: io.Discard, Stderr: io.Discard,
		Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) },
	}
	_, errc, _ := startMaster(t, m)
	select {
	case err := <-errc:
		select {
		case <-m.Serving():
			t.Error("Serving() closed, though no worker ever served")
		default:
		}
		if !errors.Is(err, ErrCrashLoop) {
			t.Fatalf("Run() = %v, want ErrCrashLoop", err)
		}
		if !strings.Contains(err.Error(), "exit status 3") {
			t.Errorf("Run() = %q, want the last exit status in it", err)
		}
		errc <- err // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("master still running after a crash loop")
	}
	if got := strings.Join(logged, "\n"); !strings.Contains(got, "exited after") {
		t.Errorf("log = %q, want each exit logged", got)
	}
}

// A worker that cannot be started while the master serves (its program
// gone for a moment, as when fork fails for want of memory) is tried
// again, not fatal: once it can start, the master is whole again.
func TestFailedStartIsRetried(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "worker")
	if err := os.Symlink(os.Args[0], exe); err != nil {
		t.Fatal(err)
	}
	var retries atomic.Int32
	m := &Master{
		Workers: 1, Executable: exe, Env: []string{testWorkerEnv + "=1"},
		Stdout: io.Discard, Stderr: io.Discard,
		Logf: func(f string, a ...any) {
			if strings.Contains(fmt.Sprintf(f, a...), "trying again") {
				retries.Add(1)
			}
		},
	}
	addr, errc, _ := startMaster(t, m)
	testkit.WaitFor(t, "a worker", func() bool { return len(m.Pids()) == 1 })
	old := m.Pids()[0]

	if err := os.Remove(exe); err != nil { // the next start fails
		t.Fatal(err)
	}
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a failed start to be retried", func() bool { return retries.Load() > 0 })
	if err := os.Symlink(os.Args[0], exe); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a new worker", func() bool {
		pids := m.Pids()
		return len(pids) == 1 && pids[0] != old
	})
	if _, err := pidOf(addr); err != nil {
		t.Errorf("GET /pid after the retry: %v", err)
	}
	stillRunning(t, errc, "after the retry", nil)
}

// masterProcess starts exe as a master of two workers in a process of
// its own (testMaster), killed at the end of the test, and returns it
// with a function that returns the pid of each worker it starts, in the
// order it logs them.
func masterProcess(t *testing.T, exe string) (*exec.Cmd, func() int) {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), roleEnv+"=master")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	started := regexp.MustCompile(`worker \d+ started, pid (\d+)`)
	sc := bufio.NewScanner(out)
	return cmd, func() int {
		t.Helper()
		for sc.Scan() {
			if m := started.FindStringSubmatch(sc.Text()); m != nil {
				pid, _ := strconv.Atoi(m[1])
				return pid
			}
		}
		t.Fatal("the master's output ended")
		return 0
	}
}

func TestNoOrphansWhenTheMasterIsKilled(t *testing.T) {
	cmd, next := masterProcess(t, os.Args[0])
	pids := []int{next(), next()}
	// SIGKILL: the master gets no chance to stop its workers itself.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait() // "signal: killed"
	for _, pid := range pids {
		testkit.WaitFor(t, fmt.Sprintf("orphaned worker %d to exit", pid), func() bool { return !alive(pid) })
	}
}

func TestStopTimeoutKillsStuckWorkers(t *testing.T) {
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=ignore-term"},
		StopTimeout: 200 * time.Millisecond, Stdout: io.Discard, Stderr: io.Discard,
	}
	_, errc, cancel := startMaster(t, m)
	testkit.WaitFor(t, "a worker", func() bool { return len(m.Pids()) == 1 })
	pid := m.Pids()[0]
	t.Cleanup(func() { os.Remove(readyFile(pid)) }) // a killed worker cannot
	testkit.WaitFor(t, "the worker to ignore SIGTERM", func() bool { return workerReady(pid) })
	cancel()
	err := <-errc
	errc <- err // for the cleanup
	if !errors.Is(err, ErrWorkersKilled) {
		t.Fatalf("Run() = %v, want ErrWorkersKilled", err)
	}
	if alive(pid) {
		t.Errorf("worker %d alive after the master stopped", pid)
	}
}

// A worker that exits with a failure when asked to stop makes the master
// report it: its exit status must not say all went well.
func TestWorkerFailingToStopIsReported(t *testing.T) {
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=fail-stop"},
		Stdout: io.Discard, Stderr: io.Discard,
	}
	addr, errc, cancel := startMaster(t, m)
	testkit.WaitFor(t, "a worker serving", func() bool { _, err := pidOf(addr); return err == nil })
	cancel()
	err := <-errc
	errc <- err // for the cleanup
	if !errors.Is(err, ErrWorkerFailed) {
		t.Fatalf("Run() = %v, want ErrWorkerFailed", err)
	}
}

func TestForceKillsAtOnce(t *testing.T) {
	force := make(chan struct{})
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=ignore-term"},
		StopTimeout: time.Hour, Force: force, Stdout: io.Discard, Stderr: io.Discard,
	}
	_, errc, cancel := startMaster(t, m)
	testkit.WaitFor(t, "a worker", func() bool { return len(m.Pids()) == 1 })
	pid := m.Pids()[0]
	t.Cleanup(func() { os.Remove(readyFile(pid)) }) // a killed worker cannot
	testkit.WaitFor(t, "the worker to ignore SIGTERM", func() bool { return workerReady(pid) })
	cancel()
	close(force)
	select {
	case err := <-errc:
		errc <- err
		if !errors.Is(err, ErrWorkersKilled) || !strings.Contains(err.Error(), "forced") {
			t.Fatalf("Run() = %v, want ErrWorkersKilled (forced)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Force did not stop the master")
	}
}

// workerReady reports whether the worker has set up its signal handling:
// it marks that by creating a file named after its pid.
func workerReady(pid int) bool {
	_, err := os.Stat(readyFile(pid))
	return err == nil
}

func readyFile(pid int) string {
	return fmt.Sprintf("%s/ch06-worker-%d.ready", os.TempDir(), pid)
}

// usr1File is where a test worker marks a SIGUSR1 it handled.
func usr1File(pid int) string {
	return fmt.Sprintf("%s/ch06-worker-%d.usr1", os.TempDir(), pid)
}

// A signal forwarded to a worker still starting (SIGUSR1 from a
// logrotate that runs during a reload, say) waits until it reports
// ready: sent at once, its default action would kill the worker.
func TestSignalWaitsForAStartingWorker(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=slow-ready"},
		Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	addr, _, _ := startMaster(t, m)
	testkit.WaitFor(t, "a worker", func() bool { return len(m.Pids()) == 1 })
	pid := m.Pids()[0]
	t.Cleanup(func() { os.Remove(usr1File(pid)) })
	m.Signal(syscall.SIGUSR1) // long before it is ready: it sleeps slowFor first
	if got := servedBy(t, addr); got != pid {
		t.Fatalf("served by %d, want the worker %d, alive\nlog:\n%s", got, pid, strings.Join(log.Lines(), "\n"))
	}
	testkit.WaitFor(t, "the worker to handle SIGUSR1", func() bool {
		_, err := os.Stat(usr1File(pid))
		return err == nil
	})
}

func TestReloadReplacesEveryWorkerWithoutRefusing(t *testing.T) {
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard}
	addr, _, _ := startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	before := m.Pids()

	// Clients keep connecting during the reload: none may fail.
	stop := make(chan struct{})
	failures := make(chan error, 1)
	var served atomicCount
	go func() {
		defer close(failures)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := pidOf(addr); err != nil {
				failures <- err
				return
			}
			served.add()
		}
	}()
	if err := m.Reload(); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the old workers to exit", func() bool {
		now := m.Pids()
		return len(now) == 2 && !slices.Contains(now, before[0]) && !slices.Contains(now, before[1])
	})
	close(stop)
	if err := <-failures; err != nil {
		t.Fatalf("a request failed during the reload: %v", err)
	}
	if served.get() == 0 {
		t.Fatal("no request was made during the reload")
	}
}

// A reload onto workers that cannot start is abandoned: the old workers
// keep serving, and the master does not give up as in a crash loop.
func TestReloadOntoABrokenBuildKeepsTheOldWorkers(t *testing.T) {
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard}
	addr, errc, _ := startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	before := m.Pids()

	m.SetEnv([]string{behaviourEnv + "=crash"}) // the new build exits at once
	for range 3 {
		if err := m.Reload(); !errors.Is(err, ErrReloadFailed) {
			t.Fatalf("Reload() = %v, want ErrReloadFailed", err)
		}
	}
	testkit.WaitFor(t, "the failed workers to be gone", func() bool { return len(m.Pids()) == 2 })
	if now := m.Pids(); !slices.Equal(now, before) {
		t.Errorf("workers after the failed reloads: %v, want the old ones %v", now, before)
	}
	if _, err := pidOf(addr); err != nil {
		t.Errorf("GET /pid after the failed reloads: %v", err)
	}
	stillRunning(t, errc, "after the failed reload", nil)
}

func TestSetWorkers(t *testing.T) {
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard}
	startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	if err := m.SetWorkers(3); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "three workers", func() bool { return len(m.Pids()) == 3 })
	if err := m.SetWorkers(2); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	if err := m.SetWorkers(0); err == nil {
		t.Error("SetWorkers(0) succeeded, want an error")
	}
}

// TestHandleSignal: Gunicorn's control signals, as the stages and final
// deliver them: TTIN adds a worker, TTOU removes one but never the last,
// HUP replaces every worker; other signals are not the master's.
func TestHandleSignal(t *testing.T) {
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard}
	startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	first := m.Pids()[0]
	if !m.HandleSignal(syscall.SIGTTIN) {
		t.Fatal("HandleSignal(SIGTTIN) = false")
	}
	testkit.WaitFor(t, "two workers after TTIN", func() bool { return len(m.Pids()) == 2 })
	m.HandleSignal(syscall.SIGTTOU)
	testkit.WaitFor(t, "one worker after TTOU", func() bool { return len(m.Pids()) == 1 })
	m.HandleSignal(syscall.SIGTTOU)
	if got := m.WantWorkers(); got != 1 {
		t.Errorf("TTOU with one worker left: %d wanted, want the last one kept", got)
	}
	m.HandleSignal(syscall.SIGHUP)
	testkit.WaitFor(t, "a new worker after HUP", func() bool {
		pids := m.Pids()
		return len(pids) == 1 && pids[0] != first
	})
	if m.HandleSignal(syscall.SIGUSR1) {
		t.Error("HandleSignal(SIGUSR1) = true: it is not a control signal")
	}
}

// TestFiles: every worker finds the master's Files by name (here a second
// listening socket, which each one serves as well as its first), and the
// master closes them when it stops.
func TestFiles(t *testing.T) {
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ListenerFile(other)
	other.Close() // from now on, only the file holds the socket
	if err != nil {
		t.Fatal(err)
	}
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard,
		Files: map[string]*os.File{"extra": f}}
	addr, errc, cancel := startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	for _, a := range []string{addr, other.Addr().String()} {
		pid, err := pidOf(a)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if !slices.Contains(m.Pids(), pid) {
			t.Errorf("%s answered by pid %d, not a worker (%v)", a, pid, m.Pids())
		}
	}
	cancel()
	err = <-errc
	errc <- err // for startMaster's cleanup
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if c, err := net.DialTimeout("tcp", other.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("the extra socket still accepts after the master stopped")
	}
}

// Run owns the Files even when it cannot start: it closes them.
func TestFilesClosedWhenRunFails(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := &Master{Files: map[string]*os.File{"pipe": w}}
	noFile := struct{ net.Listener }{testkit.Listen(t)} // no descriptor to share
	if err := m.Run(context.Background(), noFile); err == nil {
		t.Fatal("Run on a listener with no descriptor = nil, want an error")
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("writing to a file of a Run that failed = %v, want os.ErrClosed", err)
	}
}

// Files that no worker could find are refused before anything starts:
// a name that would break WorkerFilesEnv, a file a first Run closed.
func TestFilesRefused(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		files map[string]*os.File
		want  string
	}{
		{map[string]*os.File{"a,b": w}, `name "a,b"`},
		{map[string]*os.File{"": w}, `name ""`},
		{map[string]*os.File{"pipe": w}, "pipe: use of closed file"}, // closed by the runs above
	} {
		m := &Master{Files: tc.files, Executable: "/nonexistent"}
		if err := m.Run(context.Background(), testkit.Listen(t)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run with Files %v = %v, want an error with %q", slices.Collect(maps.Keys(tc.files)), err, tc.want)
		}
	}
}

// A worker finds a file by its name, or learns that the master passed
// none by that name; a name the master's list gives no descriptor of its
// own is an error, not a file.
func TestInheritedFile(t *testing.T) {
	t.Setenv(WorkerFilesEnv, "heartbeat=6,bad=x,low=2")
	for _, tc := range []struct {
		name, err string
		found     bool
	}{
		{"none", "", false},
		{"bad", `"bad=x"`, false},
		{"low", `"low=2"`, false},
	} {
		f, err := InheritedFile(tc.name)
		if (f != nil) != tc.found || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("InheritedFile(%q) = %v, %v; want a file: %v, an error with %q", tc.name, f, err, tc.found, tc.err)
		}
	}
}

func TestReloadBeforeRun(t *testing.T) {
	m := &Master{}
	if err := m.Reload(); err != nil {
		t.Errorf("Reload with no workers = %v, want nil (nothing to replace)", err)
	}
	if err := m.SetWorkers(2); !errors.Is(err, ErrNotRunning) {
		t.Errorf("SetWorkers before Run = %v, want ErrNotRunning", err)
	}
}

// pidOf connects and reads the pid of the worker that accepted.
func pidOf(addr string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(line))
}

// stillRunning fails t if Run has returned, with the master's log if
// there is one; errc is startMaster's.
func stillRunning(t *testing.T, errc chan error, when string, log *testkit.LogRecorder) {
	t.Helper()
	select {
	case err := <-errc:
		errc <- err // for startMaster's cleanup
		lines := ""
		if log != nil {
			lines = strings.Join(log.Lines(), "\n")
		}
		t.Fatalf("Run() = %v %s, want it running\n%s", err, when, lines)
	default:
	}
}

// atomicCount counts across goroutines.
type atomicCount struct{ n atomic.Int64 }

func (c *atomicCount) add()       { c.n.Add(1) }
func (c *atomicCount) get() int64 { return c.n.Load() }

// liveChildren lists this process's children that have not exited
// (zombies, exited and not yet waited for, are left out).
func liveChildren() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	me := strconv.Itoa(os.Getpid())
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f, ok := procStat(e.Name()); ok && f[1] == me && f[0] != "Z" {
			out = append(out, pid)
		}
	}
	return out
}

// A stop that comes while a worker is being started (a SIGTTIN, a
// reload, a crash's replacement) stops that worker too: Run returns with
// no worker left running. The rounds move the stop across the start.
func TestStopDuringAStart(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to list the workers")
	}
	for i := range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, StopTimeout: 5 * time.Second}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- m.Run(ctx, ln) }()
		testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
		go m.SetWorkers(4) //nolint:errcheck // ErrNotRunning once the stop wins: either is the point
		time.Sleep(time.Duration(i) * 300 * time.Microsecond)
		cancel()
		err = <-errc
		if kids := liveChildren(); len(kids) > 0 {
			t.Errorf("round %d: Run returned %v with workers still running: %v", i, err, kids)
			for _, pid := range kids {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		ln.Close()
	}
}

// Callers wanting the same missing workers at once (a SIGTTIN while
// Run's loop replaces a worker) start them once: not more, to be stopped
// again as surplus.
func TestConcurrentFillsStartNoMore(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _ = m.SetWorkers(3) })
	}
	wg.Wait()
	testkit.WaitFor(t, "three workers", func() bool { return len(m.Pids()) == 3 })
	if n := len(log.Matching(" started, pid ")); n != 3 {
		t.Errorf("SetWorkers(3) eight times at once started %d workers in all, want 3 (the first and two more)\n%s", n, strings.Join(log.Lines(), "\n"))
	}
}

// Workers that die as a reload begins are replaced once, by Run's loop;
// the reload does not replace them again.
func TestReloadDoesNotReplaceTheDead(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	time.Sleep(DefaultMinUptime + 100*time.Millisecond) // no crash backoff
	for _, pid := range m.Pids() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	err := m.Reload()
	time.Sleep(2 * time.Second) // the replacements' replacements, if any, would run by now
	if n := len(m.Pids()); n != 2 {
		t.Errorf("Reload() = %v: %d workers %v, want 2\n%s", err, n, m.Pids(), strings.Join(log.Lines(), "\n"))
	}
}

// Fewer workers wanted while a reload runs (SIGTTOU during SIGHUP): the
// old workers go first, and the reload does not undo it.
func TestFewerWorkersDuringAReload(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(m.Pids()) == 2 })
	old := m.Pids()
	m.SetEnv([]string{behaviourEnv + "=slow-ready"}) // the new build takes a while to be ready
	done := make(chan error, 1)
	go func() { done <- m.Reload() }()
	testkit.WaitFor(t, "the reload's first worker", func() bool { return len(m.Pids()) == 3 })
	if err := m.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Reload() = %v\n%s", err, strings.Join(log.Lines(), "\n"))
	}
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	if now := m.Pids(); slices.Contains(old, now[0]) {
		t.Errorf("the worker left is %d, one of the old ones %v: the reload was undone\n%s", now[0], old, strings.Join(log.Lines(), "\n"))
	}
}

// Fewer workers wanted while some are still starting (a SIGTTOU right
// after a SIGTTIN): those starting stop, not the one that serves, which
// would leave the socket to workers that may never be ready.
func TestFewerWorkersStopsTheStartingOnes(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	serving := m.Pids()[0]
	m.SetEnv([]string{behaviourEnv + "=slow-ready"}) // the next ones take a while to be ready
	if err := m.SetWorkers(3); err != nil {
		t.Fatal(err)
	}
	if err := m.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	if now := m.Pids()[0]; now != serving {
		t.Errorf("the worker left is %d, not %d, the one that was serving\n%s", now, serving, strings.Join(log.Lines(), "\n"))
	}
}

// Fewer workers wanted while some are being started, before the master
// even has their pids: they stop once it has, and the count settles at
// what was asked for last. The rounds move the call for fewer across the
// starts.
func TestFewerWorkersDuringTheirStart(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
	settles := func(round int) {
		t.Helper()
		want := m.WantWorkers()
		for deadline := time.Now().Add(10 * time.Second); len(m.Pids()) != want; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d workers, %d wanted\n%s", round, len(m.Pids()), want, strings.Join(log.Lines(), "\n"))
			}
		}
	}
	for i := range 10 {
		// Three callers at once, as Run's loop replacing a worker and a
		// SIGTTIN can be: several workers are being started together.
		var more sync.WaitGroup
		for range 3 {
			more.Go(func() { _ = m.SetWorkers(4) })
		}
		time.Sleep(time.Duration(i) * 300 * time.Microsecond)
		if err := m.SetWorkers(1); err != nil {
			t.Fatal(err)
		}
		more.Wait()
		settles(i) // 1, or 4 when a SetWorkers(4) came last
		if m.WantWorkers() != 1 {
			if err := m.SetWorkers(1); err != nil {
				t.Fatal(err)
			}
			settles(i)
		}
	}
}

// A worker already stopping gets no second SIGTERM when the master
// stops: to a server that takes Ctrl+C twice (chapter 7), a second one
// means "stop now", and would cut the requests it is finishing.
func TestRetiringWorkerGetsOneSIGTERM(t *testing.T) {
	dir := t.TempDir()
	m := &Master{
		Workers: 2, Executable: os.Args[0],
		Env:    []string{behaviourEnv + "=slow-stop", termDirEnv + "=" + dir},
		Stdout: io.Discard, Stderr: io.Discard,
	}
	_, errc, cancel := startMaster(t, m)
	testkit.WaitFor(t, "two workers ready", func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		ready := 0
		for _, w := range m.running {
			if w.signalable {
				ready++
			}
		}
		return ready == 2
	})
	pids := m.Pids()
	if err := m.SetWorkers(1); err != nil { // the oldest retires: SIGTERM, then slowFor to stop
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the first SIGTERM to land", func() bool {
		_, err := os.Stat(filepath.Join(dir, strconv.Itoa(pids[0])))
		return err == nil
	})
	cancel() // the master stops while the retired worker is still stopping
	if err := <-errc; err != nil {
		t.Fatalf("Run() = %v, want nil", err)
	}
	errc <- nil // for startMaster's cleanup
	for _, pid := range pids {
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(pid)))
		if err != nil {
			t.Fatalf("worker %d: %v", pid, err)
		}
		if n := strings.Count(string(b), "SIGTERM"); n != 1 {
			t.Errorf("worker %d got %d SIGTERMs, want 1", pid, n)
		}
	}
}

// readyPids returns the pids of the workers that reported ready and are
// not retiring.
func readyPids(m *Master) []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	var pids []int
	for _, w := range m.running {
		if w.signalable && !w.retiring {
			pids = append(pids, w.cmd.Process.Pid)
		}
	}
	slices.Sort(pids)
	return pids
}

// Workers that die after they served (a request that crashes them, the
// OOM killer), however soon after their start, are replaced, paced but
// for ever: only workers failing before they serve make a crash loop.
func TestCrashesInServiceDoNotStopTheMaster(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"},
		MaxCrashes: 3, MinUptime: time.Minute, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	addr, errc, _ := startMaster(t, m)
	last := 0
	for i := range 6 {
		testkit.WaitFor(t, "a new worker ready", func() bool {
			p := readyPids(m)
			return len(p) == 1 && p[0] != last
		})
		last = readyPids(m)[0]
		if err := syscall.Kill(last, syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if got := servedBy(t, addr); got == last {
		t.Fatalf("served by %d, the worker killed last", got)
	}
	stillRunning(t, errc, "after 6 workers killed in service", &log)
}

// Workers that fail to start while another serves (a log directory
// deleted, a database down for the new ones) cost capacity, not the
// server: the master goes on trying, and the one serving serves.
func TestFailedStartsWhileOneServes(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"},
		MaxCrashes: 2, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	addr, errc, _ := startMaster(t, m)
	testkit.WaitFor(t, "two workers ready", func() bool { return len(readyPids(m)) == 2 })
	pids := readyPids(m)
	m.SetEnv([]string{behaviourEnv + "=crash"}) // from now on, workers fail to start
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "more failed starts than MaxCrashes", func() bool {
		return len(log.Matching("still serving: trying on")) >= 2
	})
	stillRunning(t, errc, "with a worker serving", &log)
	if got := servedBy(t, addr); got != pids[1] {
		t.Errorf("served by %d, want %d, the worker left", got, pids[1])
	}
	m.SetEnv([]string{testWorkerEnv + "=1"}) // the cause is fixed: the next start works
	testkit.WaitFor(t, "two workers ready again", func() bool { return len(readyPids(m)) == 2 })
}

// A worker retired while the master runs (fewer wanted, a reload) that
// does not stop within StopTimeout of its SIGTERM is killed, as it would
// be when the master stops: frozen, or deaf to SIGTERM, it would hold
// its descriptors for ever.
func TestRetiredStragglerIsKilled(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 2, Executable: os.Args[0], Env: []string{behaviourEnv + "=ignore-term"},
		StopTimeout: 500 * time.Millisecond, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	startMaster(t, m)
	testkit.WaitFor(t, "two workers deaf to SIGTERM", func() bool {
		p := m.Pids()
		return len(p) == 2 && workerReady(p[0]) && workerReady(p[1])
	})
	for _, pid := range m.Pids() {
		t.Cleanup(func() { os.Remove(readyFile(pid)) })
	}
	if err := m.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the retired worker to be killed", func() bool { return len(m.Pids()) == 1 })
	if len(log.Matching("after SIGTERM: killing it")) != 1 {
		t.Errorf("log says nothing of the kill:\n%s", strings.Join(log.Lines(), "\n"))
	}
}

// A reload runs the binary at the path the master was started from, as
// it is now: after "mv app app.old; cp new app", the new one. (Linux's
// /proc/self/exe follows the running file to its new name, so resolving
// it at each start would run app.old's code again.)
func TestReloadRunsTheBinaryAtThePath(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("needs /proc to see what a worker runs")
	}
	app := filepath.Join(t.TempDir(), "app")
	copyFile(t, os.Args[0], app)
	cmd, next := masterProcess(t, app)
	next()
	next()
	if err := os.Rename(app, app+".old"); err != nil {
		t.Fatal(err)
	}
	copyFile(t, app+".old", app)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	pid := next() // the reload's first worker
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	if exe != app {
		t.Errorf("the reload's worker runs %s, want %s", exe, app)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// ReadyTimeout bounds Reload's wait for each new worker: one slower to
// be ready is stopped, and the reload given up, with the old workers
// still serving.
func TestReloadReadyTimeout(t *testing.T) {
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"},
		ReadyTimeout: 200 * time.Millisecond, Stdout: io.Discard, Stderr: io.Discard,
	}
	addr, _, _ := startMaster(t, m)
	testkit.WaitFor(t, "a worker ready", func() bool { return len(readyPids(m)) == 1 })
	old := readyPids(m)[0]
	m.SetEnv([]string{behaviourEnv + "=slow-ready"}) // ready after slowFor, past ReadyTimeout
	err := m.Reload()
	if !errors.Is(err, ErrReloadFailed) || !strings.Contains(err.Error(), "not ready after 200ms") {
		t.Fatalf("Reload() = %v, want ErrReloadFailed after 200ms", err)
	}
	if got := servedBy(t, addr); got != old {
		t.Errorf("served by %d, want %d, the old worker", got, old)
	}
}

// A worker's log lines start with its name; the master's do not.
func TestLogPrefix(t *testing.T) {
	env := map[string]string{WorkerEnv: "1", WorkerSlotEnv: "2"}
	want := fmt.Sprintf("worker 2 (pid %d): ", os.Getpid())
	if got := LogPrefix(func(k string) string { return env[k] }); got != want {
		t.Errorf("LogPrefix() in a worker = %q, want %q", got, want)
	}
	if got := LogPrefix(func(string) string { return "" }); got != "" {
		t.Errorf("LogPrefix() outside a worker = %q, want none", got)
	}
}

// ProgramPath keeps the path the program was started by, symbolic links
// and all: after "ln -sfn v2 current", a reload runs current/app from v2.
// A name that does not lead to the running program (exec -a) is not
// trusted.
func TestProgramPathKeepsSymlinks(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("needs /proc to see what a worker runs")
	}
	dir := t.TempDir()
	for _, v := range []string{"v1", "v2"} {
		if err := os.Mkdir(filepath.Join(dir, v), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, os.Args[0], filepath.Join(dir, v, "app"))
	}
	current := filepath.Join(dir, "current")
	if err := os.Symlink("v1", current); err != nil {
		t.Fatal(err)
	}
	cmd, next := masterProcess(t, filepath.Join(current, "app"))
	next()
	next()
	if err := os.Remove(current); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("v2", current); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	pid := next() // the reload's first worker
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if want := filepath.Join(dir, "v2", "app"); err != nil || exe != want {
		t.Errorf("the reload's worker runs %s (%v), want %s", exe, err, want)
	}

	started := os.Args[0]
	t.Cleanup(func() { os.Args[0] = started })
	os.Args[0] = "sh" // exec -a sh: found in PATH, and not this program
	got, err := ProgramPath()
	if self, _ := os.Executable(); err != nil || got != self {
		t.Errorf("ProgramPath() with os.Args[0] %q = %q, %v; want os.Executable's %q", os.Args[0], got, err, self)
	}
}

// SetWorkers(1) while a Reload replaces its last old worker: stopping
// that old worker would not lower the count, since its replacement takes
// its place; another one goes. (Found by a reviewer: the count stayed at
// two.)
func TestFewerWorkersDuringTheLastReplacement(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"}, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "two workers", func() bool { return len(readyPids(m)) == 2 })
	m.SetEnv([]string{behaviourEnv + "=slow-ready"})
	done := make(chan error, 1)
	go func() { done <- m.Reload() }()
	// Wait for the first replacement to be done and the second to be starting.
	testkit.WaitFor(t, "the reload's second worker", func() bool {
		if len(log.Matching(" replaces worker ")) != 1 {
			return false
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.replacing == 1
	})
	if err := m.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Reload() = %v", err)
	}
	testkit.WaitFor(t, "one worker", func() bool { return len(m.Pids()) == 1 })
}

// A Reload onto a build that cannot start is no failed start of the
// master's: Run's loop may see the new worker's exit before Reload marks
// it retiring, and must not count it, or after MaxCrashes such reloads
// the next crash in service of the only serving worker would stop the
// master. (The race is hit some rounds in ten; the test skips when not.)
func TestFailedReloadsAreNoFailedStarts(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{Workers: 1, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"},
		MaxCrashes: 2, MinUptime: time.Millisecond, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	_, errc, _ := startMaster(t, m)
	testkit.WaitFor(t, "one worker", func() bool { return len(readyPids(m)) == 1 })
	m.SetEnv([]string{behaviourEnv + "=crash"})
	for range 10 {
		if err := m.Reload(); !errors.Is(err, ErrReloadFailed) {
			t.Fatalf("Reload() onto a crashing build = %v, want ErrReloadFailed", err)
		}
	}
	time.Sleep(100 * time.Millisecond) // the last exits reach Run's loop
	m.mu.Lock()
	counted := m.failedStarts
	m.mu.Unlock()
	if counted != 0 {
		t.Errorf("%d failed starts counted after 10 failed reloads, want 0", counted)
	}
	m.SetEnv([]string{testWorkerEnv + "=1"})
	syscall.Kill(readyPids(m)[0], syscall.SIGKILL) // a crash in service: no failed start
	testkit.WaitFor(t, "a replacement", func() bool { return len(readyPids(m)) == 1 })
	stillRunning(t, errc, "after one crash in service", &log)
}

// A worker that exits 0 before it reports ready failed to start, and its
// replacement is paced like a crash's: while another worker serves, the
// master must not fork in a hot loop (a reviewer counted 1,976 starts in
// two seconds).
func TestExitZeroBeforeReadyIsPaced(t *testing.T) {
	dir := t.TempDir()
	script := dir + "/w.sh"
	if err := os.WriteFile(script, []byte("#!/bin/sh\n[ \"$REVIEW_EXIT0\" = 1 ] && exit 0\nexec \""+os.Args[0]+"\" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var log testkit.LogRecorder
	m := &Master{Workers: 2, Executable: script, Env: []string{testWorkerEnv + "=1"},
		Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	startMaster(t, m)
	testkit.WaitFor(t, "two workers ready", func() bool { return len(readyPids(m)) == 2 })
	m.SetEnv([]string{testWorkerEnv + "=1", "REVIEW_EXIT0=1"})
	time.Sleep(1200 * time.Millisecond) // past MinUptime: its death is no crash
	before := len(log.Matching(" started, pid "))
	syscall.Kill(readyPids(m)[0], syscall.SIGKILL)
	time.Sleep(2 * time.Second)
	starts := len(log.Matching(" started, pid ")) - before
	m.SetEnv([]string{testWorkerEnv + "=1"})
	if starts > 30 {
		t.Errorf("%d worker starts in 2 s: not paced", starts)
	}
}
