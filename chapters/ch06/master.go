package ch06

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
)

// Defaults of a Master's zero fields.
const (
	// DefaultMinUptime is how long a worker must live for its failure not
	// to slow down its replacement.
	DefaultMinUptime = 1 * time.Second
	// DefaultMaxCrashes is how many workers in a row must fail to start
	// (exit before they report ready) for the master to give up, if no
	// worker serves.
	DefaultMaxCrashes = 5
	// maxCrashPause bounds the pause before a worker that failed soon
	// after its start is replaced.
	maxCrashPause = 5 * time.Second
	// DefaultStopTimeout is how long workers get to exit after SIGTERM
	// before they are killed.
	DefaultStopTimeout = 10 * time.Second
)

var (
	// ErrCrashLoop is returned by Master.Run when workers keep failing
	// before they serve, and none serves.
	ErrCrashLoop = errors.New("ch06: workers keep failing before they serve")
	// ErrWorkersKilled is returned by Master.Run when workers did not stop
	// within StopTimeout, or Force was closed, and had to be killed.
	ErrWorkersKilled = errors.New("ch06: workers were killed before they stopped by themselves")
	// ErrWorkerFailed is returned by Master.Run when a worker asked to
	// stop exited with a failure status, or of a signal other than the
	// SIGTERM it was sent (one that had not set up its handler yet dies of
	// that, with nothing in flight): its own graceful stop cut requests,
	// say, or someone killed it. The master exits 0 only when every
	// worker stopped cleanly.
	ErrWorkerFailed = errors.New("ch06: a worker did not stop cleanly")
)

// Master starts and supervises worker processes that serve one socket.
type Master struct {
	// Workers is how many worker processes to run. If less than 1, 1.
	Workers int
	// Executable is the program each worker runs. If empty, the path
	// the running binary was started by, as Run finds it when it begins
	// (ProgramPath): the master re-executes itself, and a reload runs
	// whatever binary is at that path then.
	Executable string
	// Args are the workers' arguments (without the program name), usually
	// the master's own, so a worker serves what the master was asked to.
	Args []string
	// Env is added to the workers' environment, after the master's own.
	// While Run runs, change it with SetEnv.
	Env []string
	// Stdout and Stderr receive the workers' output. If nil, the master's
	// os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
	// Logf reports workers starting and exiting. If nil, nothing is logged.
	Logf ch01.Logf
	// MinUptime: a worker that fails sooner after its start is replaced
	// after a pause, 100 ms for each such failure in a row (up to 5 s),
	// so that a loop of crashes does not burn a core. If zero,
	// DefaultMinUptime.
	MinUptime time.Duration
	// MaxCrashes workers in a row that fail to start (exit, or cannot be
	// started, before they report ready) stop the master with
	// ErrCrashLoop, once no worker serves: the program cannot start, and
	// the socket would queue connections nobody answers. While some worker
	// serves, the master goes on trying. A worker that crashes after it
	// reported ready (a request that kills it, the OOM killer) is no
	// failure to start. If zero, DefaultMaxCrashes.
	MaxCrashes int
	// ReadyTimeout is how long Reload waits for a new worker to report
	// ready (NotifyReady) before it gives the reload up: an app that warms
	// up for longer needs more. If zero, DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// StopTimeout is how long workers get to exit after SIGTERM when the
	// master stops; then they are killed. If zero, DefaultStopTimeout.
	StopTimeout time.Duration
	// Force, when closed while the master is stopping, kills the workers
	// at once instead of waiting out StopTimeout (a second Ctrl+C). If
	// nil, only StopTimeout ends the wait.
	Force <-chan struct{}
	// Files are more descriptors every worker gets, after the three of
	// this package, each found by its name with InheritedFile: a program
	// built on the master passes what its workers need besides the socket
	// (final passes its other listening sockets, and its watchdog's
	// heartbeat pipe). Run owns them: it closes them when it stops, as it
	// closes its copy of the socket, so a second Run needs new ones. A
	// name may not be empty, nor hold a comma or an equals sign.
	Files map[string]*os.File

	reloadMu      sync.Mutex // one Reload at a time
	mu            sync.Mutex
	running       map[int]*worker // by slot
	starting      int             // workers being started, not yet in running
	replacing     int             // Reload's new workers not yet in their old one's place
	spawning      sync.WaitGroup  // counts them too, for stopAll to wait on
	nextSlot      int
	want          int           // workers to keep running
	stopping      bool          // stopAll has begun: start no more
	exe           string        // the program workers run, resolved when Run began
	lnFile        *os.File      // the socket, for new workers; nil when not running
	lifeline      *os.File      // the lifeline's read end, for new workers
	exits         chan *worker  // exited workers, for Run's loop
	closeListener func()        // closes the master's copies of the socket
	failedStarts  int           // workers in a row that failed to start; a ready one resets it
	serving       chan struct{} // closed once a worker serves; see Serving
}

// Serving returns a channel closed once a worker has reported that it
// serves (NotifyReady), and never reopened. Before that the master's
// socket queues connections that nobody may ever answer (every worker
// could be crashing at start); from then on it is answered. It is the
// master's own readiness, for whatever supervises it.
func (m *Master) Serving() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.servingLocked()
}

// servingLocked returns m.serving, made on first use. m.mu is held.
func (m *Master) servingLocked() chan struct{} {
	if m.serving == nil {
		m.serving = make(chan struct{})
	}
	return m.serving
}

// markServing closes the Serving channel, once.
func (m *Master) markServing() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.servingLocked():
	default:
		close(m.serving)
	}
}

// ListenerFile returns a duplicate of ln's descriptor to hand to another
// process (exec.Cmd.ExtraFiles) without changing the socket's mode for
// the processes that use it already: see shareable. The caller closes
// it once the other process has started.
func ListenerFile(ln net.Listener) (*os.File, error) {
	fl, ok := ln.(filer)
	if !ok {
		return nil, fmt.Errorf("ch06: cannot share a %T with another process: it has no file descriptor", ln)
	}
	return shareable(fl)
}

// filer is a listener with a file descriptor to share: *net.TCPListener,
// *net.UnixListener, or a wrapper that passes File through.
type filer interface {
	File() (*os.File, error)
}

// Signal sends sig to every running worker: the master forwards the
// signals meant for all of them (SIGUSR1, reopen the logs). A worker
// still starting gets it once it reports ready: until then its handlers
// may not be installed, and the default action of most signals, SIGUSR1's
// included, would kill it.
func (m *Master) Signal(sig os.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.running {
		switch {
		case w.signalable:
			m.signal(w, sig)
		case !slices.Contains(w.pending, sig):
			w.pending = append(w.pending, sig)
		}
	}
}

// becameReady records that w serves, and sends it the signals Signal held
// back while it started.
func (m *Master) becameReady(w *worker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.signalable = true
	m.failedStarts = 0
	for _, sig := range w.pending {
		m.signal(w, sig)
	}
	w.pending = nil
}

// signal sends sig to w. A worker that has exited already is no error:
// its exit reaches Run's loop (or stopAll) through exits.
func (m *Master) signal(w *worker, sig os.Signal) {
	if err := w.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		m.logf("ch06: worker %d (pid %d): send %v: %v", w.slot, w.cmd.Process.Pid, sig, err)
	}
}

// worker is one running worker process.
type worker struct {
	slot    int
	cmd     *exec.Cmd
	started time.Time
	ready   chan struct{} // closed when the worker reports it serves, or exits
	// wasReady, read after ready is closed, tells the two apart.
	wasReady bool
	// retiring is set when the master stops the worker on purpose
	// (shutdown, reload, fewer workers): its exit is not replaced. Guarded
	// by Master.mu.
	retiring bool
	// signalable is set once the worker reported ready: it handles the
	// signals Signal forwards. Until then, pending holds them. Both
	// guarded by Master.mu.
	signalable bool
	pending    []os.Signal
	// replacement is set on a Reload's new worker, which the Reload
	// waits for: SetWorkers leaves it to the Reload. replaced is set on
	// the old worker it replaces, until the Reload retires one of the
	// two. Both guarded by Master.mu.
	replacement, replaced bool
	err                   error // exit error, set before the worker is sent on exits
}

// starting reports whether w has not reported ready yet, and is no
// Reload's replacement. Master.mu must be held.
func (w *worker) starting() bool { return !w.signalable && !w.replacement }

// Run starts the workers on ln and supervises them until ctx is done, then
// stops them: SIGTERM, then SIGKILL after StopTimeout or when Force is
// closed. It returns nil when every worker stopped by itself, with status
// 0 or of the SIGTERM it was sent, ErrWorkersKilled when some had to be
// killed, and ErrWorkerFailed when one exited with a failure. It returns early with an
// error if the first workers cannot be started, or if the workers crash
// in a loop; a worker that cannot be started later counts as a crash and
// is tried again after a pause.
//
// While Run runs, Reload replaces the workers one by one and SetWorkers
// changes how many there are.
//
// Run closes ln (and its own copy of the descriptor) as soon as it starts
// stopping: the socket refuses new connections once every worker has
// closed its copy too, which a graceful worker does first.
func (m *Master) Run(ctx context.Context, ln net.Listener) error {
	defer m.closeFiles() // last, whatever ends Run
	if err := m.checkFiles(); err != nil {
		return err
	}
	fl, ok := ln.(filer)
	if !ok {
		return fmt.Errorf("ch06: cannot share a %T with worker processes: it has no file descriptor", ln)
	}
	exe := m.Executable
	if exe == "" {
		var err error
		if exe, err = ProgramPath(); err != nil {
			return fmt.Errorf("ch06: find our own binary: %w", err)
		}
	}
	lnFile, err := shareable(fl) // a duplicate descriptor, to hand to children
	if err != nil {
		return fmt.Errorf("ch06: share the listener: %w", err)
	}
	defer lnFile.Close()
	// The lifeline: workers read its read end; only the master holds the
	// write end, so it reaches EOF exactly when the master is gone.
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("ch06: lifeline pipe: %w", err)
	}
	defer lifeR.Close()
	defer lifeW.Close()

	m.mu.Lock()
	m.exe, m.lnFile, m.lifeline = exe, lnFile, lifeR
	m.exits = make(chan *worker, 16)
	m.want = max(m.Workers, 1)
	m.stopping = false
	m.failedStarts = 0
	m.closeListener = func() {
		ln.Close()
		lnFile.Close()
		m.closeFiles()
	}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.lnFile, m.lifeline = nil, nil
		m.mu.Unlock()
	}()

	if err := m.fill(); err != nil {
		return errors.Join(err, m.stopAll())
	}

	crashes := 0               // failures in a row soon after a start: they pace the replacements
	var retry <-chan time.Time // set while replacements wait, after a crash or a failed start
	for {
		select {
		case <-ctx.Done():
			return m.stopAll()
		case <-retry:
			retry = nil
			if err := m.fill(); err != nil {
				if retry, err = m.startFailed(&crashes, err); err != nil {
					return err
				}
			}
		case w := <-m.exits:
			m.forget(w)
			uptime := time.Since(w.started).Round(time.Millisecond)
			m.mu.Lock()
			retiring, short, served := w.retiring, len(m.running) < m.want, w.signalable
			if !retiring && !served && !w.replacement {
				m.failedStarts++ // it never reported ready (a Reload's own failures are the Reload's)
			}
			m.mu.Unlock()
			if retiring {
				m.logf("ch06: worker %d (pid %d) stopped: %v", w.slot, w.cmd.Process.Pid, exitStatus(w.err))
				if !short {
					continue
				}
			} else {
				m.logf("ch06: worker %d (pid %d) exited after %v: %v", w.slot, w.cmd.Process.Pid, uptime, exitStatus(w.err))
			}
			// A worker that exits 0 by itself is recycling (it served its
			// share of requests); one that fails soon after its start is
			// crashing, and its replacement waits a little. One that lived
			// past MinUptime, however it ended, breaks a row of crashes.
			switch {
			case uptime >= orDefault(m.MinUptime, DefaultMinUptime):
				crashes = 0
			case retiring || (w.err == nil && served):
			default:
				crashes++ // a failure, or an exit 0 before it ever served
			}
			if err := m.crashLoop(fmt.Sprint(exitStatus(w.err))); err != nil {
				return err
			}
			if crashes > 0 {
				if retry == nil { // one pending already refills for this exit too
					pause := crashPause(crashes)
					m.logf("ch06: replacing worker %d in %v", w.slot, pause)
					retry = time.After(pause)
				}
				continue
			}
			if err := m.fill(); err != nil {
				if retry, err = m.startFailed(&crashes, err); err != nil {
					return err
				}
			}
		}
	}
}

// crashPause is how long a replacement waits after crashes failures in a
// row, each soon after its start.
func crashPause(crashes int) time.Duration {
	return min(time.Duration(crashes)*100*time.Millisecond, maxCrashPause)
}

// crashLoop returns the error to end Run with when MaxCrashes workers in
// a row failed to start and none serves, after stopping the rest; last is
// the last failure. While a worker serves, the master keeps trying: a
// broken start (a deleted log directory, a database down) costs
// capacity, not the whole server.
func (m *Master) crashLoop(last string) error {
	m.mu.Lock()
	failed, serving := m.failedStarts, 0
	for _, w := range m.running {
		if w.signalable && !w.retiring {
			serving++
		}
	}
	m.mu.Unlock()
	limit := orDefault(m.MaxCrashes, DefaultMaxCrashes)
	switch {
	case failed < limit:
		return nil
	case serving > 0:
		m.logf("ch06: %d workers in a row failed to start (the last: %s); %d still serving: trying on", failed, last, serving)
		return nil
	}
	// The crash loop is the error to report, and workers killed on the
	// way out too.
	stopErr := m.stopAll()
	return errors.Join(fmt.Errorf("%w (%d in a row, the last: %s): giving up", ErrCrashLoop, failed, last), stopErr)
}

// startFailed handles a worker that could not be started while serving
// (fork failing for want of memory or processes, say: often passing): it
// is a failed start, and the start is tried again after a pause that
// grows with the crashes, on the returned channel, unless crashLoop says
// to give up.
func (m *Master) startFailed(crashes *int, err error) (retry <-chan time.Time, _ error) {
	*crashes++
	m.mu.Lock()
	m.failedStarts++
	m.mu.Unlock()
	if err := m.crashLoop(err.Error()); err != nil {
		return nil, err
	}
	pause := crashPause(*crashes)
	m.logf("%v; trying again in %v", err, pause)
	return time.After(pause), nil
}

// ProgramPath returns the path the running program was started by,
// made absolute, symbolic links kept: a reload or an upgrade runs what is
// at that path now. Not os.Executable's answer: on Linux it reads
// /proc/self/exe, which follows the running file itself, to its new name
// after "mv app app.old; cp new app" (a reload would run the old code
// again), and through symbolic links (after "ln -sfn rel/v2 current", the
// old release). It falls back to os.Executable when os.Args[0] does not
// lead to the running program: a name the parent made up, or a relative
// path after the program changed its working directory.
func ProgramPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	p := os.Args[0]
	if !strings.ContainsRune(p, os.PathSeparator) {
		if found, err := exec.LookPath(p); err == nil {
			p = found
		}
	}
	// os.Args[0] is whatever the parent chose ("exec -a sh", a name for
	// ps): keep it only if it leads to the running program.
	abs, err := filepath.Abs(p)
	if err != nil {
		return exe, nil
	}
	running, err1 := os.Stat(exe)
	named, err2 := os.Stat(abs)
	if err1 != nil || err2 != nil || !os.SameFile(running, named) {
		return exe, nil
	}
	return abs, nil
}

// ErrNotRunning is returned by Reload and SetWorkers when Run is not
// running (not started yet, or stopping).
var ErrNotRunning = errors.New("ch06: the master is not running")

// spawn starts one worker in a new slot if need, asked under m.mu,
// says one is needed, and returns it; nil and no error when none is.
// Asking and counting the worker as starting under the same lock is what
// keeps two callers (Run's loop replacing a worker, a SIGTTIN, a Reload)
// from both starting the one worker that was missing, and what lets
// stopAll wait for a worker being started instead of missing it.
//
// replacement says the worker takes the place of one a Reload retires. A
// worker that is not, and finds once started that fewer are wanted now
// than when it was asked for (SetWorkers could not stop it while it was
// being started), stops again at once: it has served nothing yet.
func (m *Master) spawn(need func() bool, replacement bool) (*worker, error) {
	m.mu.Lock()
	if m.lnFile == nil || m.stopping {
		m.mu.Unlock()
		return nil, ErrNotRunning
	}
	if !need() {
		m.mu.Unlock()
		return nil, nil
	}
	slot := m.nextSlot
	m.nextSlot++
	m.starting++
	m.spawning.Add(1)
	env, exe, lnFile, lifeline, exits := m.Env, m.exe, m.lnFile, m.lifeline, m.exits
	m.mu.Unlock()
	defer m.spawning.Done()

	w, err := m.startWorker(exe, env, slot, lnFile, lifeline, replacement)
	if err != nil {
		m.mu.Lock()
		m.starting--
		m.mu.Unlock()
		return nil, err
	}
	go func() {
		w.err = w.cmd.Wait()
		exits <- w
	}()
	m.mu.Lock()
	surplus := !replacement && m.serves(w) && m.active()-m.replacing > m.want
	m.mu.Unlock()
	if surplus {
		m.logf("ch06: fewer workers: stopping worker %d (pid %d), started before the change", w.slot, w.cmd.Process.Pid)
		m.retire(w, syscall.SIGTERM)
	}
	return w, nil
}

// fill starts workers until there are as many as wanted.
func (m *Master) fill() error {
	for {
		w, err := m.spawn(func() bool { return m.active() < m.want }, false)
		if w == nil || err != nil {
			return err
		}
	}
}

// active counts the workers not retiring, those being started included.
// m.mu must be held.
func (m *Master) active() int {
	n := m.starting
	for _, w := range m.running {
		if !w.retiring {
			n++
		}
	}
	return n
}

// serves reports whether w runs and is not retiring. m.mu must be held.
func (m *Master) serves(w *worker) bool {
	return m.running[w.slot] == w && !w.retiring
}

// retire stops w on purpose with sig (SIGTERM: gracefully), and its exit
// is not replaced. A worker retiring already got its SIGTERM: a second
// one means "stop now" to a server that takes Ctrl+C twice (chapter 7),
// and would cut its requests. Any other signal (os.Kill) is sent
// whatever. A worker still there StopTimeout after its SIGTERM is
// killed, as stopAll kills those that outlive the master's stop: one that
// ignores it, or is frozen, would otherwise hold its descriptors, and a
// slot, for ever.
func (m *Master) retire(w *worker, sig os.Signal) { m.retireReplacing(w, sig, false) }

// retireReplacing is retire; with replacing, it also ends the count of a
// Reload's replacement under the same lock, so that SetWorkers never sees
// a worker and its replacement both active with neither on its way out.
func (m *Master) retireReplacing(w *worker, sig os.Signal, replacing bool) {
	m.mu.Lock()
	if replacing {
		m.replacing--
	}
	w.replaced = false
	already := w.retiring
	w.retiring = true
	m.mu.Unlock()
	switch {
	case sig != syscall.SIGTERM:
		m.signal(w, sig) // os.Kill: a worker that never served
	case !already:
		m.terminate(w)
	}
}

// terminate sends SIGTERM to w, marked retiring already, and kills it if
// it is still running StopTimeout later.
func (m *Master) terminate(w *worker) {
	m.signal(w, syscall.SIGTERM)
	timeout := orDefault(m.StopTimeout, DefaultStopTimeout)
	time.AfterFunc(timeout, func() { m.killStraggler(w, timeout) })
}

// killStraggler kills w if it is still running timeout after retire
// sent it SIGTERM.
func (m *Master) killStraggler(w *worker, timeout time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[w.slot] != w {
		return // it exited, and Run's loop or stopAll has seen it
	}
	m.logf("ch06: worker %d (pid %d) still running %v after SIGTERM: killing it", w.slot, w.cmd.Process.Pid, timeout)
	m.signal(w, os.Kill)
}

// DefaultReadyTimeout is how long Reload waits, when ReadyTimeout is
// zero, for a new worker to report that it serves; one that has not by
// then is stopped, and the reload abandoned.
const DefaultReadyTimeout = 10 * time.Second

// ErrReloadFailed is returned by Reload when a new worker exited, or did
// not report ready within ReadyTimeout (it is killed: it never served, so
// nothing of it is in flight): the old workers that were not replaced yet
// keep serving, so a bad build cannot take the server down.
var ErrReloadFailed = errors.New("ch06: reload abandoned: a new worker did not start")

// ReloadError is the error Reload returns when a new worker did not
// start: errors.Is(err, ErrReloadFailed) holds. Replaced says how many
// old workers new ones had replaced before that one: with Env changed for
// the reload (SetEnv), those run the new environment, the rest the old.
type ReloadError struct {
	Replaced int
	Slot     int    // the new worker that did not start
	Why      string // "exited before it was ready", or "not ready after 10s"
}

func (e *ReloadError) Error() string {
	return fmt.Sprintf("%v: worker %d %s", ErrReloadFailed, e.Slot, e.Why)
}

// Unwrap returns ErrReloadFailed.
func (e *ReloadError) Unwrap() error { return ErrReloadFailed }

// Reload replaces every worker with a new one, one at a time, without
// refusing a connection: the new worker starts and reports ready (see
// NotifyReady) before the old one is asked to stop gracefully, and the
// socket itself, held by the master, never closes. It is what SIGHUP does
// in Gunicorn: workers pick up a new binary or new configuration. If a new
// worker exits before it reports ready (a build that cannot start), or
// does not report within ReadyTimeout, Reload kills it and returns
// ErrReloadFailed: the workers not replaced yet go on serving.
//
// A worker that exits while Reload runs is replaced by Run's loop, not a
// second time by Reload; when fewer workers are wanted meanwhile
// (SetWorkers), Reload stops the old ones it would have replaced.
func (m *Master) Reload() error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	readyTimeout := orDefault(m.ReadyTimeout, DefaultReadyTimeout)
	m.mu.Lock()
	var old []*worker
	for _, w := range m.running {
		if !w.retiring {
			old = append(old, w)
		}
	}
	m.mu.Unlock()
	replaced := 0
	for _, w := range old {
		// While the new worker starts, w and it both count as active:
		// replacing tells SetWorkers that one of the two is on its way out.
		counted := false
		nw, err := m.spawn(func() bool {
			counted = m.serves(w) && m.active() <= m.want
			if counted {
				m.replacing++
				w.replaced = true
			}
			return counted
		}, true)
		if err != nil {
			if counted {
				m.mu.Lock()
				m.replacing--
				w.replaced = false
				m.mu.Unlock()
			}
			return err
		}
		if nw == nil {
			m.mu.Lock()
			surplus := m.serves(w) // else gone, and replaced by Run's loop, or retiring
			m.mu.Unlock()
			if surplus {
				m.logf("ch06: reload: stopping worker %d (pid %d): fewer workers are wanted", w.slot, w.cmd.Process.Pid)
				m.retire(w, syscall.SIGTERM)
			}
			continue
		}
		why := ""
		select {
		case <-nw.ready:
			if !nw.wasReady {
				why = "exited before it was ready"
			}
		case <-time.After(readyTimeout):
			why = fmt.Sprintf("not ready after %v", readyTimeout)
		}
		if why != "" {
			// Its exit is no crash to count or replace: the reload failed.
			// It never served: nothing of it is in flight to wait for, and
			// a build stuck in its set-up may not heed SIGTERM.
			m.retireReplacing(nw, os.Kill, counted)
			m.mu.Lock()
			w.replaced = false // it stays
			m.mu.Unlock()
			m.logf("ch06: reload: new worker %d (pid %d) %s: keeping worker %d (pid %d) and the rest",
				nw.slot, nw.cmd.Process.Pid, why, w.slot, w.cmd.Process.Pid)
			return &ReloadError{Replaced: replaced, Slot: nw.slot, Why: why}
		}
		m.logf("ch06: reload: worker %d replaces worker %d (pid %d)", nw.slot, w.slot, w.cmd.Process.Pid)
		m.retireReplacing(w, syscall.SIGTERM, counted)
		replaced++
	}
	return nil
}

// SetWorkers changes how many workers run: more start at once, and when
// there are too many some are stopped gracefully. Those still starting go
// first, newest first, so that no ready worker stops while one that may
// never be ready takes its place (one that is not in the master's table
// yet stops as soon as it is: see spawn); then the oldest, as Gunicorn
// does (during a Reload, those are the ones not replaced yet; a Reload's
// new worker is never stopped this way). It is what SIGTTIN and SIGTTOU
// do in Gunicorn.
func (m *Master) SetWorkers(n int) error {
	if n < 1 {
		return fmt.Errorf("ch06: %d workers: at least 1 must run", n)
	}
	m.mu.Lock()
	if m.lnFile == nil || m.stopping {
		m.mu.Unlock()
		return ErrNotRunning
	}
	m.want = n
	// Those being started count: they will serve; but of a worker a
	// Reload is replacing and its replacement, only one will.
	surplus := m.active() - m.replacing - n
	var serving []*worker
	for _, w := range m.running {
		// A worker a Reload is replacing is on its way out already: its
		// replacement takes its place, and stopping it too would leave
		// one worker more than wanted once the Reload is done.
		if !w.retiring && !w.replaced {
			serving = append(serving, w)
		}
	}
	slices.SortFunc(serving, stopOrder)
	victims := serving[:max(min(surplus, len(serving)), 0)]
	for _, w := range victims {
		w.retiring = true // under the lock: a worker registering now counts without them
	}
	m.mu.Unlock()
	if surplus < 0 {
		return m.fill()
	}
	for _, w := range victims {
		m.logf("ch06: fewer workers: stopping worker %d (pid %d)", w.slot, w.cmd.Process.Pid)
		m.terminate(w)
	}
	return nil
}

// stopOrder orders workers for SetWorkers to stop: those starting first,
// newest first, then the others, oldest first. Master.mu must be held.
func stopOrder(a, b *worker) int {
	aStarting, bStarting := a.starting(), b.starting()
	switch {
	case aStarting && !bStarting:
		return -1
	case !aStarting && bStarting:
		return 1
	case aStarting:
		return b.slot - a.slot
	}
	return a.slot - b.slot
}

// ControlSignals are the signals HandleSignal acts on.
var ControlSignals = []os.Signal{syscall.SIGHUP, syscall.SIGTTIN, syscall.SIGTTOU}

// HandleSignal does what Gunicorn's master does on sig, and reports
// whether sig is one of ControlSignals: SIGHUP replaces every worker
// (Reload, in the background: a rolling restart takes seconds), SIGTTIN
// and SIGTTOU start one worker more or stop one, never the last
// (SetWorkers). Each says what it does in the log.
func (m *Master) HandleSignal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGHUP:
		m.mu.Lock()
		exe := m.exe
		m.mu.Unlock()
		m.logf("ch06: SIGHUP: replacing every worker, with %s", exe)
		go func() {
			if err := m.Reload(); err != nil {
				m.logf("ch06: reload: %v", err)
			}
		}()
	case syscall.SIGTTIN, syscall.SIGTTOU:
		n, name := m.WantWorkers()+1, "SIGTTIN"
		if sig == syscall.SIGTTOU {
			n, name = n-2, "SIGTTOU"
		}
		if n < 1 {
			m.logf("ch06: SIGTTOU: keeping the last worker")
			return true
		}
		word := "workers"
		if n == 1 {
			word = "worker"
		}
		m.logf("ch06: %s: %d %s", name, n, word)
		if err := m.SetWorkers(n); err != nil {
			m.logf("ch06: %s: %v", name, err)
		}
	default:
		return false
	}
	return true
}

// SetEnv replaces Env for the workers started from now on: a Reload's,
// and those replacing workers that exit. (final hands its workers the
// configuration file's content this way, as the master last checked it.)
func (m *Master) SetEnv(env []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Env = slices.Clone(env)
}

// WantWorkers returns how many workers the master keeps running.
func (m *Master) WantWorkers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.want
}

// startWorker execs exe as one worker, env added to its environment,
// with the listener as fd 3, the lifeline as fd 4, the write end of its
// ready pipe as fd 5, and then the Files. replacement marks a Reload's
// new worker.
func (m *Master) startWorker(exe string, env []string, slot int, lnFile, lifeline *os.File, replacement bool) (*worker, error) {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("ch06: ready pipe: %w", err)
	}
	defer readyW.Close() // the worker has its own copy
	cmd := exec.Command(exe, m.Args...)
	cmd.Env = append(append(os.Environ(), env...),
		WorkerEnv+"=1", WorkerSlotEnv+"="+strconv.Itoa(slot))
	cmd.ExtraFiles = []*os.File{lnFile, lifeline, readyW} // fds 3, 4, 5
	var named []string
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		named = append(named, name+"="+strconv.Itoa(3+len(cmd.ExtraFiles))) // ExtraFiles[i] is fd 3+i
		cmd.ExtraFiles = append(cmd.ExtraFiles, m.Files[name])
	}
	cmd.Env = append(cmd.Env, WorkerFilesEnv+"="+strings.Join(named, ","))
	cmd.Stdout, cmd.Stderr = orStd(m.Stdout, os.Stdout), orStd(m.Stderr, os.Stderr)
	cmd.SysProcAttr = workerSysProcAttr()
	if err := cmd.Start(); err != nil {
		readyR.Close()
		return nil, fmt.Errorf("ch06: start worker %d: %w", slot, err)
	}
	w := &worker{slot: slot, cmd: cmd, started: time.Now(), ready: make(chan struct{}), replacement: replacement}
	go func() {
		// One byte when the worker serves; EOF if it exits first.
		n, _ := readyR.Read(make([]byte, 1))
		readyR.Close()
		w.wasReady = n == 1
		if w.wasReady {
			m.markServing()
			m.becameReady(w)
		}
		close(w.ready)
	}()
	m.mu.Lock()
	if m.running == nil {
		m.running = map[int]*worker{}
	}
	m.running[slot] = w
	m.starting--
	m.mu.Unlock()
	m.logf("ch06: worker %d started, pid %d", slot, cmd.Process.Pid)
	return w, nil
}

// checkFiles refuses Files that workers could not find: a name that is
// empty or holds WorkerFilesEnv's separators, a file closed already (a
// second Run of one Master: the first closed them).
func (m *Master) checkFiles() error {
	for name, f := range m.Files {
		if name == "" || strings.ContainsAny(name, ",=") {
			return fmt.Errorf("ch06: Files: name %q: use a name without commas or equals signs", name)
		}
		rc, err := f.SyscallConn()
		if err == nil {
			err = rc.Control(func(uintptr) {}) // fails once f is closed
		}
		if err != nil {
			return fmt.Errorf("ch06: Files: %s: %w", name, err)
		}
	}
	return nil
}

// closeFiles closes the Files; a second call changes nothing.
func (m *Master) closeFiles() {
	for _, f := range m.Files {
		f.Close() // a second Close only returns an error
	}
}

func (m *Master) forget(w *worker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[w.slot] == w {
		delete(m.running, w.slot)
	}
}

// Pids returns the process ids of the running workers, in slot order.
func (m *Master) Pids() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	slots := make([]int, 0, len(m.running))
	for s := range m.running {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	pids := make([]int, 0, len(slots))
	for _, s := range slots {
		pids = append(pids, m.running[s].cmd.Process.Pid)
	}
	return pids
}

// stopAll asks every running worker to stop with SIGTERM and waits for
// all to exit; those still running after StopTimeout, or when Force is
// closed, are killed, and stopAll then returns ErrWorkersKilled.
func (m *Master) stopAll() error {
	m.mu.Lock()
	m.stopping = true // no spawn starts from now on
	m.mu.Unlock()
	// A worker being started is in running once its start returns: wait,
	// so that it is stopped with the others, and the socket's descriptor
	// is not closed while a start hands it over.
	m.spawning.Wait()
	m.mu.Lock()
	if m.closeListener != nil {
		m.closeListener()
	}
	for _, w := range m.running {
		if w.retiring {
			continue // it has its SIGTERM: a second would cut its requests (see retire)
		}
		w.retiring = true
		//nolint:errcheck // it fails only for a worker that has exited already, which the loop below reaps
		w.cmd.Process.Signal(syscall.SIGTERM)
	}
	m.mu.Unlock()
	timeout := orDefault(m.StopTimeout, DefaultStopTimeout)
	deadline, force := time.After(timeout), m.Force
	var killed, failed error
	kill := func(why string) {
		m.mu.Lock()
		for _, w := range m.running {
			m.logf("ch06: worker %d (pid %d) %s: killing it", w.slot, w.cmd.Process.Pid, why)
			m.signal(w, os.Kill)
		}
		m.mu.Unlock()
		deadline, force = nil, nil // now wait for the kills to land
		killed = fmt.Errorf("%w (%s)", ErrWorkersKilled, why)
	}
	for {
		m.mu.Lock()
		left := len(m.running)
		m.mu.Unlock()
		if left == 0 {
			if killed != nil {
				return killed
			}
			return failed
		}
		select {
		case w := <-m.exits:
			m.forget(w)
			m.logf("ch06: worker %d (pid %d) stopped: %v", w.slot, w.cmd.Process.Pid, exitStatus(w.err))
			if w.err != nil && !diedOf(w.err, syscall.SIGTERM) && failed == nil {
				failed = fmt.Errorf("%w: worker %d (pid %d): %v", ErrWorkerFailed, w.slot, w.cmd.Process.Pid, exitStatus(w.err))
			}
		case <-deadline:
			kill(fmt.Sprintf("still running %v after SIGTERM", timeout))
		case <-force:
			kill("forced to stop")
		}
	}
}

// diedOf reports whether a worker's exit error says a signal sig ended it.
func diedOf(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

func (m *Master) logf(format string, args ...any) {
	if m.Logf != nil {
		m.Logf(format, args...)
	}
}

// exitStatus describes how a worker ended: "exit status 0", "exit status
// 2", "signal: killed".
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func orStd(w io.Writer, std *os.File) io.Writer {
	if w == nil {
		return std
	}
	return w
}
