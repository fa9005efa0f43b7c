package final

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/internal/testkit"
)

// The watchdog's rules, on a fake clock: who is silent, who is spared,
// who is forgotten, and a master that did not run for a while (stopped by
// Ctrl+Z with its workers) starts every worker's clock afresh instead of
// killing them all.
func TestWatchdogRules(t *testing.T) {
	var log testkit.LogRecorder
	d := newWatchdog(nil, time.Second, log.Logf)
	t0 := time.Now()
	d.beat(100, "0", t0.Add(1000*time.Millisecond)) // will have beaten 0.5 s before
	d.beat(101, "1", t0.Add(200*time.Millisecond))  // silent 1.3 s
	d.beat(102, "2", t0.Add(100*time.Millisecond))  // exited
	// 103 is running but has never beaten: starting up, not watched.
	running := []int{100, 101, 103}
	now := t0.Add(1500 * time.Millisecond)
	if got := d.silent(now, running); !slices.Equal(got, []int{101}) {
		t.Fatalf("silent at 1.5s: %v, want [101]", got)
	}
	if got := log.Matching("worker 1 (pid 101) silent for 1.3s (worker timeout 1s): killing it"); len(got) != 1 {
		t.Errorf("log:\n%s\nwant worker 1's kill, once", strings.Join(log.Lines(), "\n"))
	}
	if _, ok := d.beats[102]; ok {
		t.Error("the exited worker 102 is still watched")
	}
	now = now.Add(250 * time.Millisecond)
	if got := d.silent(now, running); len(got) != 0 {
		t.Fatalf("next round: %v, want none: 101 is killed already", got)
	}
	// A worker that beat after the round's list was made is kept, though
	// the list misses it.
	d.beat(104, "4", now.Add(time.Millisecond))
	d.silent(now, running)
	if _, ok := d.beats[104]; !ok {
		t.Error("a worker whose first beat came after the list was forgotten")
	}
	delete(d.beats, 104)
	// 101, killed, is gone, and a new worker (slot 5) got its pid before
	// a round could forget it: it is watched as the new worker it is.
	d.beat(101, "5", now)
	d.beat(100, "0", now)
	var killed []int
	for range 5 { // rounds a quarter second apart: no pause of the master's
		now = now.Add(250 * time.Millisecond)
		killed = append(killed, d.silent(now, running)...)
	}
	if !slices.Equal(killed, []int{100, 101}) {
		t.Fatalf("1.25 s of silence from 100 and the new worker on a reused pid: killed %v, want [100 101]", killed)
	}
	d.beats = map[int]*heartbeat{100: {slot: "0", last: now}}

	// The master itself stopped for 10 s: no one is killed, and the clocks
	// restart; a timeout later, the still silent are.
	now = now.Add(10 * time.Second)
	if got := d.silent(now, running); len(got) != 0 {
		t.Fatalf("after the master's own pause: %v, want none", got)
	}
	for step := 250 * time.Millisecond; step <= time.Second; step += 250 * time.Millisecond {
		if got := d.silent(now.Add(step), running); len(got) != 0 {
			t.Fatalf("%v after the pause: %v, want none yet", step, got)
		}
	}
	if got := d.silent(now.Add(1250*time.Millisecond), running); !slices.Equal(got, []int{100}) {
		t.Fatalf("a timeout after the pause: %v, want [100]", got)
	}
}

// A worker beats with its pid and slot, on the pipe its master passed it,
// a quarter of the timeout apart; a worker with no pipe, or no timeout,
// does not beat.
func TestHeartbeat(t *testing.T) {
	t.Setenv(ch06.WorkerFilesEnv, "")
	if err := startHeartbeat(time.Second); err != nil {
		t.Errorf("startHeartbeat with no pipe = %v, want nil: no watchdog", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd, err := syscall.Dup(int(w.Fd())) // the worker's own descriptor, which startHeartbeat takes
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(ch06.WorkerFilesEnv, fmt.Sprintf("listener-1=%d,%s=%d", fd+1000, heartbeatFile, fd))
	t.Setenv(ch06.WorkerSlotEnv, "3")
	if got := heartbeatInterval(40 * time.Millisecond); got != 10*time.Millisecond {
		t.Fatalf("heartbeatInterval(40ms) = %v, want 10ms", got)
	}
	start := time.Now()
	if err := startHeartbeat(40 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(r)
	want := fmt.Sprintf("%d 3", os.Getpid())
	for i := range 3 {
		if !lines.Scan() {
			t.Fatalf("beat %d: %v", i, lines.Err())
		}
		if lines.Text() != want {
			t.Fatalf("beat %d = %q, want %q", i, lines.Text(), want)
		}
	}
	if took := time.Since(start); took < 15*time.Millisecond {
		t.Errorf("three beats in %v, want two intervals of 10ms between them", took)
	}
	// Closing the read end ends the beating goroutine at its next write.
}

// A worker frozen with SIGSTOP stops beating: the watchdog kills it with
// SIGKILL once it has been silent for the timeout, says so in the log,
// and chapter 6's master starts a new worker in its place. The other
// worker, beating, is left alone, and no process outlives the master. The
// workers are a shell script that reports ready on fd 5 (chapter 6's
// ready pipe), then beats on fd 6, the only file passed.
func TestWatchdogKillsAFrozenWorker(t *testing.T) {
	const timeout = time.Second
	worker := t.TempDir() + "/worker.sh"
	script := `#!/bin/sh
printf x >&5
while :; do
	echo "$$ $` + ch06.WorkerSlotEnv + `" >&6
	sleep 0.1
done
`
	if err := os.WriteFile(worker, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var log testkit.LogRecorder
	m := &ch06.Master{Workers: 2, Executable: worker, StopTimeout: 5 * time.Second,
		Stdout: io.Discard, Stderr: io.Discard, Logf: log.Logf}
	d := newWatchdog(m.Pids, timeout, log.Logf)
	beats, stopWatch, err := d.start()
	if err != nil {
		t.Fatal(err)
	}
	defer stopWatch()
	m.Files = map[string]*os.File{heartbeatFile: beats}
	ln := testkit.Listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	testkit.WaitFor(t, "two workers beating", func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(m.Pids()) == 2 && len(d.beats) == 2
	})
	pids := m.Pids()
	victim, survivor := pids[0], pids[1]
	t.Cleanup(func() { syscall.Kill(victim, syscall.SIGKILL) }) // if the watchdog did not
	if err := syscall.Kill(victim, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	testkit.WaitFor(t, "the frozen worker to be killed and replaced", func() bool {
		now := m.Pids()
		return len(now) == 2 && !slices.Contains(now, victim)
	})
	// Its last beat came at most 0.1 s before it froze.
	if took := time.Since(frozen); took < timeout*3/4 {
		t.Errorf("killed %v after it froze, before its %v of silence", took, timeout)
	}
	if !slices.Contains(m.Pids(), survivor) {
		t.Errorf("the beating worker %d was killed too: workers %v", survivor, m.Pids())
	}
	if got := log.Matching(fmt.Sprintf("(pid %d) silent for ", victim)); len(got) != 1 {
		t.Errorf("log:\n%s\nwant one line saying worker %d was silent", strings.Join(log.Lines(), "\n"), victim)
	}
	if got := log.Matching("silent for"); len(got) != 1 {
		t.Errorf("log:\n%s\nwant no other worker found silent", strings.Join(log.Lines(), "\n"))
	}
}
