package ch06

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
)

// The environment and descriptors a master gives its workers.
const (
	// WorkerEnv is set to "1" in a worker's environment.
	WorkerEnv = "HTTPCOURSE_WORKER"
	// WorkerSlotEnv holds the worker's slot number, 0 to N-1.
	WorkerSlotEnv = "HTTPCOURSE_WORKER_SLOT"
	// WorkerFilesEnv lists the master's Files as the worker got them,
	// name=descriptor, comma-separated ("heartbeat=6,listener-1=7"); see
	// InheritedFile.
	WorkerFilesEnv = "HTTPCOURSE_WORKER_FILES"

	listenerFD = 3 // ExtraFiles[0]
	lifelineFD = 4 // ExtraFiles[1]
	readyFD    = 5 // ExtraFiles[2]
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

// InheritedFile returns the descriptor the master passed under name
// (Master.Files); nil and no error if it passed none by that name, an
// error if WorkerFilesEnv names it with no descriptor of the master's.
// The file is the worker's, not its children's: they do not inherit it.
// Ask for each name once: the file closes the descriptor when it is
// closed.
func InheritedFile(name string) (*os.File, error) {
	for _, entry := range strings.Split(os.Getenv(WorkerFilesEnv), ",") {
		n, fd, _ := strings.Cut(entry, "=")
		if n != name {
			continue
		}
		num, err := strconv.Atoi(fd)
		if err != nil || num <= readyFD {
			return nil, fmt.Errorf("ch06: %s: %q is no descriptor of a master's file", WorkerFilesEnv, entry)
		}
		closeOnExec(num)
		return os.NewFile(uintptr(num), name), nil
	}
	return nil, nil
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
func NotifyReady() error {
	f := os.NewFile(readyFD, "ready")
	if f == nil {
		return fmt.Errorf("ch06: no ready pipe on fd %d", readyFD)
	}
	defer f.Close()
	if _, err := f.Write([]byte{1}); err != nil {
		return fmt.Errorf("ch06: notify ready: %w", err)
	}
	return nil
}
