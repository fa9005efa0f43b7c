package ch06

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// The environment and descriptors a master gives its workers.
const (
	// WorkerEnv is set to "1" in a worker's environment.
	WorkerEnv = "HTTPCOURSE_WORKER"
	// WorkerSlotEnv holds the worker's slot number, 0 to N-1.
	WorkerSlotEnv = "HTTPCOURSE_WORKER_SLOT"
	// WorkerHeartbeatEnv holds how often the worker must beat, as a Go
	// duration ("250ms"), when its master runs a watchdog
	// (Master.WorkerTimeout); it is unset otherwise.
	WorkerHeartbeatEnv = "HTTPCOURSE_WORKER_HEARTBEAT"
	// WorkerListenersEnv lists the descriptors of the master's Extra
	// listeners, comma-separated; empty when there are none.
	WorkerListenersEnv = "HTTPCOURSE_WORKER_LISTENERS"

	listenerFD  = 3 // ExtraFiles[0]
	lifelineFD  = 4 // ExtraFiles[1]
	readyFD     = 5 // ExtraFiles[2]
	heartbeatFD = 6 // ExtraFiles[3], only with a watchdog
)

// IsWorker reports whether the environment marks this process as a worker
// started by a Master. getenv is usually os.Getenv.
func IsWorker(getenv func(string) string) bool {
	return getenv(WorkerEnv) == "1"
}

// LogPrefix returns what a worker puts before each line it logs, as the
// master names it ("worker 2 (pid 4242): "), so that lines from several
// workers in one log can be told apart; "" outside a worker. (Gunicorn
// prefixes every line with the pid.) getenv is usually os.Getenv.
func LogPrefix(getenv func(string) string) string {
	if !IsWorker(getenv) {
		return ""
	}
	return fmt.Sprintf("worker %s (pid %d): ", getenv(WorkerSlotEnv), os.Getpid())
}

// InheritedListener returns the listening socket the master passed on fd 3.
func InheritedListener() (net.Listener, error) {
	f := os.NewFile(listenerFD, "listener")
	if f == nil {
		return nil, fmt.Errorf("ch06: no listener on fd %d", listenerFD)
	}
	// The ready pipe is this worker's to write, not its children's: a
	// child holding a copy would keep the master from seeing this worker
	// die before it is ready.
	closeOnExec(readyFD)
	defer f.Close() // FileListener duplicated it
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("ch06: inherited listener on fd %d: %w", listenerFD, err)
	}
	return ln, nil
}

// ExtraListeners returns the master's Extra listening sockets, which it
// passed after the worker's other descriptors (WorkerListenersEnv); none
// when it passed none.
func ExtraListeners() ([]net.Listener, error) {
	var lns []net.Listener
	for _, s := range strings.FieldsFunc(os.Getenv(WorkerListenersEnv), func(r rune) bool { return r == ',' }) {
		fd, err := strconv.Atoi(s)
		if err != nil || fd < 3 {
			return nil, fmt.Errorf("ch06: %s=%q: want descriptor numbers", WorkerListenersEnv, os.Getenv(WorkerListenersEnv))
		}
		f := os.NewFile(uintptr(fd), "listener "+s)
		ln, err := net.FileListener(f)
		f.Close() // FileListener duplicated it
		if err != nil {
			return nil, fmt.Errorf("ch06: inherited listener on fd %d: %w", fd, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// WatchMaster calls masterGone once the master process has died, however
// it died: the lifeline pipe on fd 4 reads EOF when its only writer, the
// master, is gone. It is the portable twin of Linux's parent-death signal.
func WatchMaster(masterGone func()) error {
	f := os.NewFile(lifelineFD, "lifeline")
	if f == nil {
		return fmt.Errorf("ch06: no lifeline on fd %d", lifelineFD)
	}
	closeOnExec(lifelineFD) // the worker's, not its children's
	go func() {
		defer f.Close()
		//nolint:errcheck // EOF or a read error alike: the lifeline is gone, so is the master
		io.Copy(io.Discard, f) // blocks until EOF: nobody ever writes
		masterGone()
	}()
	return nil
}

// NotifyReady tells the master this worker is serving: Reload waits for it
// before it stops the worker this one replaces. Call it once, when the
// worker is about to accept connections.
//
// When the master runs a watchdog (Master.WorkerTimeout), NotifyReady also
// starts the worker's heartbeat: a goroutine writes a byte on fd 6 at the
// interval the master asked for (WorkerHeartbeatEnv), until the process
// exits, graceful stop included. It beats while handlers are stuck, since
// the runtime preempts them; what stops it is the whole process stopping:
// frozen by SIGSTOP, its runtime wedged, or swapped out. That is what the
// watchdog is for.
func NotifyReady() error {
	f := os.NewFile(readyFD, "ready")
	if f == nil {
		return fmt.Errorf("ch06: no ready pipe on fd %d", readyFD)
	}
	defer f.Close()
	if _, err := f.Write([]byte{1}); err != nil {
		return fmt.Errorf("ch06: notify ready: %w", err)
	}
	return heartbeat(os.Getenv(WorkerHeartbeatEnv))
}

// heartbeat starts writing a byte on fd 6 every interval (a duration such
// as "250ms"); an empty interval means the master runs no watchdog. The
// first beat is written before it returns, so a missing pipe is an error
// here rather than a worker killed later for its silence.
func heartbeat(interval string) error {
	if interval == "" {
		return nil
	}
	every, err := time.ParseDuration(interval)
	if err != nil || every <= 0 {
		return fmt.Errorf("ch06: %s=%q: want a positive duration", WorkerHeartbeatEnv, interval)
	}
	// Not for the handlers' child processes: one that outlived this worker
	// would keep the pipe open.
	closeOnExec(heartbeatFD)
	f := os.NewFile(heartbeatFD, "heartbeat")
	if f == nil {
		return fmt.Errorf("ch06: no heartbeat pipe on fd %d", heartbeatFD)
	}
	beat := []byte{1}
	if _, err := f.Write(beat); err != nil {
		f.Close()
		return fmt.Errorf("ch06: heartbeat on fd %d: %w", heartbeatFD, err)
	}
	go func() {
		defer f.Close()
		t := time.NewTicker(every)
		defer t.Stop()
		for range t.C {
			if _, err := f.Write(beat); err != nil {
				return // the master is gone: the lifeline says so too
			}
		}
	}()
	return nil
}
