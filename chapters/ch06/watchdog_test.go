package ch06

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// beating reports whether n workers run and each is ready and watched.
func beating(m *Master, n int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.running) != n {
		return false
	}
	for _, w := range m.running {
		if w.lastBeat.Load() == 0 {
			return false
		}
	}
	return true
}

// A worker frozen with SIGSTOP stops beating: the watchdog kills it with
// SIGKILL once it has been silent for WorkerTimeout, says so in the log,
// and a new worker takes its place. The other worker, beating, is left
// alone, and no process outlives the master.
func TestWatchdogKillsAFrozenWorker(t *testing.T) {
	const timeout = time.Second
	var log testkit.LogRecorder
	m := &Master{
		Workers: 2, Executable: os.Args[0], Env: []string{testWorkerEnv + "=1"},
		WorkerTimeout: timeout, StopTimeout: 5 * time.Second,
		Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	addr, errc, cancel := startMaster(t, m)
	waitFor(t, "two workers beating", func() bool { return beating(m, 2) })
	pids := m.Pids()
	victim, survivor := pids[0], pids[1]
	t.Cleanup(func() { syscall.Kill(victim, syscall.SIGKILL) }) // if the watchdog did not

	if err := syscall.Kill(victim, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	waitFor(t, "the frozen worker to be killed and replaced", func() bool {
		now := m.Pids()
		return len(now) == 2 && !slices.Contains(now, victim) && !alive(victim)
	})
	// Its last beat came at most a quarter of the timeout before it froze.
	if took := time.Since(frozen); took < timeout*3/4 {
		t.Errorf("killed %v after it froze, before its %v of silence", took, timeout)
	}
	if !slices.Contains(m.Pids(), survivor) {
		t.Errorf("the beating worker %d was killed too: workers %v", survivor, m.Pids())
	}
	want := fmt.Sprintf("(pid %d) silent for ", victim)
	if got := strings.Join(log.Lines(), "\n"); !strings.Contains(got, want) {
		t.Errorf("log:\n%s\nwant a line with %q", got, want)
	}
	if pid := servedBy(t, addr); pid == victim {
		t.Errorf("served by the killed worker %d", pid)
	}

	all := append(m.Pids(), victim)
	cancel()
	err := <-errc
	errc <- err // for the cleanup
	if err != nil {
		t.Errorf("Run() = %v, want nil: the workers left stopped gracefully", err)
	}
	for _, pid := range all {
		if alive(pid) {
			t.Errorf("worker %d alive after the master stopped", pid)
		}
	}
}

// A worker starting up is not watched: it beats from NotifyReady on. One
// that takes three timeouts to get ready is not killed.
func TestWatchdogSparesAWorkerStartingUp(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 1, Executable: os.Args[0], Env: []string{behaviourEnv + "=slow-ready"},
		WorkerTimeout: slowFor / 3, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	addr, _, _ := startMaster(t, m)
	waitFor(t, "a worker", func() bool { return len(m.Pids()) == 1 })
	pid := m.Pids()[0]
	if got := servedBy(t, addr); got != pid { // once it is ready
		t.Errorf("served by %d, want the slow worker %d", got, pid)
	}
	waitFor(t, "the worker to beat", func() bool { return beating(m, 1) })
	time.Sleep(slowFor / 3) // a timeout's worth of beats
	if now := m.Pids(); !slices.Equal(now, []int{pid}) {
		t.Errorf("workers %v, want the slow starter %d alone", now, pid)
	}
	if got := strings.Join(log.Lines(), "\n"); strings.Contains(got, "silent") {
		t.Errorf("log:\n%s\nwant no worker found silent", got)
	}
}

// A worker stopping gracefully goes on beating, however long its requests
// take to finish: the watchdog leaves it to finish.
func TestWatchdogSparesAWorkerStoppingGracefully(t *testing.T) {
	var log testkit.LogRecorder
	m := &Master{
		Workers: 2, Executable: os.Args[0], Env: []string{behaviourEnv + "=slow-stop"},
		WorkerTimeout: slowFor / 3, Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf,
	}
	startMaster(t, m)
	waitFor(t, "two workers beating", func() bool { return beating(m, 2) })
	retired := m.Pids()[0] // SetWorkers retires the oldest
	if err := m.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retired worker to stop", func() bool { return len(m.Pids()) == 1 })
	want := fmt.Sprintf("(pid %d) stopped: exit status 0", retired)
	if got := strings.Join(log.Lines(), "\n"); !strings.Contains(got, want) || strings.Contains(got, "silent") {
		t.Errorf("log:\n%s\nwant %q and no worker found silent", got, want)
	}
}

// The watchdog's rules, on a fake clock: who is silent, who is spared, and
// a master that did not run for a while (stopped by Ctrl+Z with its
// workers) starts every worker's clock afresh instead of killing them all.
func TestWatchdogRules(t *testing.T) {
	t0 := time.Now()
	m := &Master{WorkerTimeout: time.Second, running: map[int]*worker{}}
	add := func(slot int, lastBeat time.Duration, retiring, killed bool) {
		w := &worker{slot: slot, started: t0, retiring: retiring, killed: killed}
		if lastBeat > 0 {
			w.beat(t0.Add(lastBeat))
		}
		m.running[slot] = w
	}
	add(0, 1000*time.Millisecond, false, false) // beat 0.5s ago
	add(1, 200*time.Millisecond, false, false)  // silent 1.3s
	add(2, 0, false, false)                     // starting up: not ready
	add(3, 100*time.Millisecond, false, true)   // killed already
	add(4, 300*time.Millisecond, true, false)   // retiring, and frozen too
	slots := func(now time.Time) []int {
		var out []int
		for _, s := range m.silent(now) {
			out = append(out, s.w.slot)
		}
		return out
	}
	now := t0.Add(1500 * time.Millisecond)
	if got := slots(now); !slices.Equal(got, []int{1, 4}) {
		t.Fatalf("silent at 1.5s: slots %v, want [1 4]", got)
	}
	m.running[1].killed, m.running[4].killed = true, true

	// The master itself stopped for 10 s: no one is killed, and the clocks
	// restart; a timeout later, the still silent are.
	now = now.Add(10 * time.Second)
	if got := slots(now); len(got) != 0 {
		t.Fatalf("after the master's own pause: slots %v, want none", got)
	}
	for step := time.Duration(0); step < time.Second; step += 250 * time.Millisecond {
		now = now.Add(250 * time.Millisecond)
		if got := slots(now); len(got) != 0 {
			t.Fatalf("%v after the pause: slots %v, want none yet", step+250*time.Millisecond, got)
		}
	}
	now = now.Add(250 * time.Millisecond)
	if got := slots(now); !slices.Equal(got, []int{0}) {
		t.Fatalf("a timeout after the pause: slots %v, want [0]", got)
	}
}

// With no watchdog, a worker gets no heartbeat pipe and NotifyReady
// starts no heartbeat; a bad interval from the master is an error.
func TestHeartbeatInterval(t *testing.T) {
	if err := heartbeat(""); err != nil {
		t.Errorf(`heartbeat("") = %v, want nil: no watchdog`, err)
	}
	for _, bad := range []string{"soon", "0s", "-1s"} {
		if err := heartbeat(bad); err == nil || !strings.Contains(err.Error(), WorkerHeartbeatEnv) {
			t.Errorf("heartbeat(%q) = %v, want an error naming %s", bad, err, WorkerHeartbeatEnv)
		}
	}
	if got := heartbeatInterval(time.Second); got != 250*time.Millisecond {
		t.Errorf("heartbeatInterval(1s) = %v, want 250ms", got)
	}
	if got := watchInterval(time.Hour); got != time.Second {
		t.Errorf("watchInterval(1h) = %v, want 1s at most", got)
	}
	if got := watchInterval(time.Millisecond); got != 10*time.Millisecond {
		t.Errorf("watchInterval(1ms) = %v, want 10ms at least", got)
	}
}
