package final

// This file is the worker watchdog, --worker-timeout (Gunicorn's
// timeout): it catches a worker that stops without dying. Every ready
// worker writes a heartbeat on a pipe that all of them share with the
// master, and the master kills, with SIGKILL, one silent for longer than
// the timeout; chapter 6's master then replaces it as it replaces any
// worker that dies.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch06"
)

// heartbeatFile is the name of the heartbeat pipe's write end among the
// descriptors a master passes its workers (ch06.Master.Files).
const heartbeatFile = "heartbeat"

// heartbeatInterval is how often a worker beats under a watchdog of
// timeout: four beats per timeout, so that one late beat is no death.
func heartbeatInterval(timeout time.Duration) time.Duration {
	return max(timeout/4, time.Millisecond)
}

// watchInterval is how often the watchdog looks at the workers' last
// beats: a quarter of the timeout, so that a silent worker is killed at
// most a quarter late, but not more often than every 10 ms nor less than
// every second.
func watchInterval(timeout time.Duration) time.Duration {
	return min(max(timeout/4, 10*time.Millisecond), time.Second)
}

// startHeartbeat, in a worker whose master runs a watchdog (it passed a
// heartbeat pipe), writes this worker's pid and slot on the pipe, one
// line a beat, now and then every quarter of timeout until the process
// exits, graceful stop included. Each line is far shorter than PIPE_BUF,
// so the lines of several workers never interleave. The heartbeat is a
// goroutine of its own: a stuck handler does not stop it, since the
// runtime preempts it; what does is the whole process stopping (frozen by
// SIGSTOP, its runtime wedged, swapped out), which is what the watchdog
// is for. Without a pipe, or a timeout, it does nothing: a worker that
// never beats is never watched.
func startHeartbeat(timeout time.Duration) error {
	f, err := ch06.InheritedFile(heartbeatFile)
	if f == nil || err != nil {
		return err
	}
	if timeout <= 0 {
		return f.Close()
	}
	beat := fmt.Appendf(nil, "%d %s\n", os.Getpid(), os.Getenv(ch06.WorkerSlotEnv))
	// The first beat before returning: a broken pipe is an error at start,
	// not a worker killed later for its silence.
	if _, err := f.Write(beat); err != nil {
		f.Close()
		return fmt.Errorf("final: heartbeat: %w", err)
	}
	go func() {
		defer f.Close()
		t := time.NewTicker(heartbeatInterval(timeout))
		defer t.Stop()
		for range t.C {
			if _, err := f.Write(beat); err != nil {
				return // the master is gone: the lifeline says so too
			}
		}
	}()
	return nil
}

// A watchdog watches the workers of one master. Only workers that have
// beaten are watched: one starting up has not called startHeartbeat yet.
type watchdog struct {
	timeout time.Duration
	workers func() []int // the pids of the running workers: ch06.Master.Pids
	kill    func(int)    // sends SIGKILL to a pid
	logf    func(string, ...any)

	mu        sync.Mutex
	beats     map[int]*heartbeat // by pid, from its first beat
	lastRound time.Time          // zero before the first round
}

// heartbeat is what the watchdog knows of one worker.
type heartbeat struct {
	slot   string
	last   time.Time // when its last beat arrived
	killed bool      // the watchdog sent it SIGKILL
}

// newWatchdog returns a watchdog, with timeout, of the workers workers
// lists (ch06.Master.Pids).
func newWatchdog(workers func() []int, timeout time.Duration, logf func(string, ...any)) *watchdog {
	return &watchdog{
		timeout: timeout,
		workers: workers,
		kill: func(pid int) {
			// The pid is a running worker's as the master listed them a
			// moment ago: Linux hands out pids in turn, so it cannot name
			// another process yet.
			syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // a worker gone meanwhile needs no kill
		},
		logf: logf,
	}
}

// start starts the watch and returns the heartbeat pipe's write end, for
// the master's Files (its Run closes it), and a function that ends the
// rounds. The goroutine reading the pipe ends by itself, once every
// holder of the write end is gone.
func (d *watchdog) start() (*os.File, func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("final: heartbeat pipe: %w", err)
	}
	go d.read(r)
	ctx, cancel := context.WithCancel(context.Background())
	go d.watch(ctx)
	return w, cancel, nil
}

// read records each line from the heartbeat pipe ("PID SLOT") as a beat,
// until EOF.
func (d *watchdog) read(r *os.File) {
	defer r.Close()
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		pid, slot, _ := bytes.Cut(lines.Bytes(), []byte(" "))
		if n, err := strconv.Atoi(string(pid)); err == nil {
			d.beat(n, string(slot), time.Now())
		}
	}
}

// beat records a heartbeat of worker pid, in slot, at now. A slot other
// than the one known for pid is another worker that got a dead one's pid
// (chapter 6 never gives a slot twice): it starts afresh.
func (d *watchdog) beat(pid int, slot string, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.beats == nil {
		d.beats = map[int]*heartbeat{}
	}
	if b := d.beats[pid]; b != nil && b.slot == slot {
		b.last = now
		return
	}
	d.beats[pid] = &heartbeat{slot: slot, last: now}
}

// watch runs a round every watchInterval until ctx is done, and kills the
// workers it finds silent.
func (d *watchdog) watch(ctx context.Context) {
	t := time.NewTicker(watchInterval(d.timeout))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for _, pid := range d.silent(now, d.workers()) {
				d.kill(pid)
			}
		}
	}
}

// silent is one round at now, with the pids of the workers running as
// listed after now: it returns, in pid order, the workers silent for
// longer than the timeout, logs each, and marks them killed. Workers no
// longer running are forgotten (not one whose first beat came after now,
// which the list may have missed). A round that comes late, half a timeout after the previous
// one (twice the interval at least), finds that the master itself was not
// running: stopped with its workers by Ctrl+Z, say, or starved. Their
// silence may be the master's own then, so every worker's clock starts
// afresh instead.
func (d *watchdog) silent(now time.Time, running []int) []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	late := max(d.timeout/2, 2*watchInterval(d.timeout))
	paused := !d.lastRound.IsZero() && now.Sub(d.lastRound) > late
	d.lastRound = now
	var out []int
	for pid, b := range d.beats {
		switch {
		case !slices.Contains(running, pid) && b.last.Before(now):
			delete(d.beats, pid) // it exited: its pid is no worker's now
		case b.killed:
		case paused:
			b.last = now
		case now.Sub(b.last) > d.timeout:
			b.killed = true
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	for _, pid := range out {
		b := d.beats[pid]
		d.logf("final: worker %s (pid %d) silent for %v (worker timeout %v): killing it",
			b.slot, pid, now.Sub(b.last).Round(10*time.Millisecond), d.timeout)
	}
	return out
}
