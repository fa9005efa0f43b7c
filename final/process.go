package final

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/chapters/ch08"
	"github.com/httpfromscratch/course/chapters/ch09"
)

// Options is what Serve needs besides the listener.
type Options struct {
	// Listeners are more sockets to serve besides Serve's ln, already
	// open (Run opens --bind's). When nil, Serve opens Flags.Bind itself,
	// unless this process is a worker.
	Listeners []net.Listener
	// Flags configure the server.
	Flags Flags
	// Handler answers every request.
	Handler http.Handler
	// Args is the command line a master starts its workers with: its own.
	Args []string
	// Worker reports that this process is a worker started by a master,
	// serving the master's socket (ch06.IsWorker).
	Worker bool
	// Force is closed when a stop must not wait any longer (a second
	// SIGTERM or SIGINT). May be nil.
	Force <-chan struct{}
	// Logf receives the server's log lines. Must not be nil.
	Logf ch01.Logf
	// StatusStyle colors a console access log; nil for plain text.
	StatusStyle ch08.StatusStyle

	sigs *SignalQueue // caught from before the pid file is written; see signals
}

// handledSignals are the signals Serve handles itself (SIGTERM and SIGINT
// are the caller's).
var handledSignals = []os.Signal{syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTTIN, syscall.SIGTTOU}

// signals returns the queue that catches handledSignals, started now if
// Serve did not start it already.
func (o *Options) signals() *SignalQueue {
	if o.sigs == nil {
		o.sigs = QueueSignals(handledSignals...)
	}
	return o.sigs
}

// Serve serves ln until ctx is done, then stops gracefully: as one process
// when Flags.Workers is 0, as a prefork master otherwise, or as one of a
// master's workers. It also serves o.Listeners (or, when nil, Flags.Bind's
// addresses, which it opens); ln may then be nil. A master shares one
// socket with its workers: it refuses more than one. It handles the signals besides SIGTERM and SIGINT
// (which the caller turns into ctx and Force): SIGQUIT stops at once,
// SIGHUP replaces the workers, SIGTTIN and SIGTTOU add and remove one,
// SIGUSR1 reopens the access log.
func Serve(ctx context.Context, ln net.Listener, o Options) error {
	if o.Worker {
		return serveWorker(ctx, ln, o)
	}
	// Catch the signals before the pid file says where to send them: a
	// script that signals as soon as the file appears must not kill the
	// server with a signal whose handler is not installed yet (the default
	// action of SIGHUP, SIGUSR1 and SIGUSR2). They wait in the queue.
	defer o.signals().Stop()
	removePid, err := writePidFile(o.Flags.PID)
	if err != nil {
		return err
	}
	defer removePid()
	if o.Flags.Workers > 0 {
		return serveMaster(ctx, ln, o)
	}
	return serveSingle(ctx, ln, o)
}

// upgrader returns the upgrader of a server serving lns.
func (o *Options) upgrader(lns []net.Listener) *upgrader {
	// lns ends with the --bind sockets, in the order given (listeners).
	fromFD := make([]string, len(lns))
	skip := len(lns) - len(o.Flags.Bind)
	for i := range fromFD {
		fromFD[i] = "-"
		if i >= skip {
			if b, err := ParseBind(o.Flags.Bind[i-skip]); err == nil && b.Network == "fd" {
				fromFD[i] = strconv.Itoa(b.FD)
			}
		}
	}
	exe, err := ch06.ProgramPath()
	return &upgrader{
		exe: exe, exeErr: err, lns: lns, fromFD: fromFD, pidFile: o.Flags.PID, logf: o.Logf,
		readyTimeout: cmp.Or(o.Flags.ReadyTimeout, ch06.DefaultReadyTimeout),
	}
}

// upgrade runs u in the background, as a signal handler must not wait.
func (o *Options) upgrade(u *upgrader) {
	go func() {
		if err := u.upgrade(); err != nil {
			o.Logf("final: SIGUSR2: %v", err)
		}
	}()
}

// gracefulTimeout is the --graceful-timeout, or chapter 7's default.
func (o *Options) gracefulTimeout() time.Duration {
	if o.Flags.GracefulTimeout > 0 {
		return o.Flags.GracefulTimeout
	}
	return ch07.DefaultGracefulTimeout
}

// serveMaster runs the prefork master and turns Gunicorn's signals into
// its methods.
func serveMaster(ctx context.Context, ln net.Listener, o Options) error {
	lns, err := o.listeners(ln)
	if err != nil {
		return err
	}
	ln = lns[0]
	if o.Flags.TLSCert != "" {
		// Fail at start, in the master, rather than in a crash loop of
		// workers that each cannot load it.
		if _, err := tlsConfig(nil, o.Flags.TLSCert, o.Flags.TLSKey); err != nil {
			closeListeners(lns)
			return err
		}
	}
	// Each worker opens the access log itself: find out now whether they
	// can, rather than from a crash loop.
	if err := ch08.CheckAccessLog(o.Flags.AccessLog, o.Flags.AccessLogFormat); err != nil {
		closeListeners(lns)
		return err
	}
	cfg, err := readMasterConfig(string(o.Flags.Config))
	if err != nil {
		closeListeners(lns)
		return err
	}
	force := newLatch()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var workerEnv []string
	if cfg != nil {
		workerEnv = env(cfg.handed) // the workers' --config, as read now (config.go)
	}
	// Each worker serves every listener: the first is chapter 6's, the
	// others go with the Files, which Run closes. The master's own
	// listeners close when it starts stopping, as Run closes the first.
	files, err := listenerFiles(lns[1:])
	if err != nil {
		closeListeners(lns)
		return err
	}
	context.AfterFunc(ctx, func() { closeListeners(lns[1:]) })
	m := &ch06.Master{
		Workers:      o.Flags.Workers,
		Args:         o.Args,
		Env:          workerEnv,
		Logf:         o.Logf,
		StopTimeout:  o.gracefulTimeout() + ch07.WorkerExitMargin,
		Force:        force.ch,
		ReadyTimeout: o.Flags.ReadyTimeout,
		Files:        files,
	}
	if o.Flags.WorkerTimeout > 0 {
		beats, stop, err := newWatchdog(m.Pids, o.Flags.WorkerTimeout, o.Logf).start()
		if err != nil {
			closeFiles(files)
			closeListeners(lns)
			return err
		}
		// Its rounds end when the master starts stopping: from then on,
		// StopTimeout bounds every worker, frozen or not.
		context.AfterFunc(ctx, stop)
		files[heartbeatFile] = beats
	}
	done := make(chan struct{})
	defer close(done)
	go func() { // a second SIGTERM/SIGINT from the caller
		select {
		case <-o.Force:
			force.close()
		case <-done:
		}
	}()
	up := o.upgrader(lns)
	sigs := o.signals()
	defer sigs.Stop()
	sigs.Handle(func(sig os.Signal) {
		switch sig {
		case syscall.SIGQUIT:
			o.Logf("final: SIGQUIT: stopping now")
			force.close()
			cancel()
		case syscall.SIGHUP:
			go cfg.reload(m, up.exe, o.Logf) // --config read again, then chapter 6's Reload
		case syscall.SIGTTIN, syscall.SIGTTOU:
			m.HandleSignal(sig) // chapter 6: SetWorkers
		case syscall.SIGUSR1:
			m.Signal(syscall.SIGUSR1) // each worker reopens its own log
		case syscall.SIGUSR2:
			o.upgrade(up)
		}
	})
	go func() {
		// An upgrade's new server serves once one of its workers does:
		// the old server must not hand over to a master whose workers
		// all crash at start.
		select {
		case <-m.Serving():
			notifyUpgradeReady()
		case <-done:
		}
	}()
	return m.Run(ctx, ln)
}

// serveSingle serves in this process alone.
func serveSingle(ctx context.Context, ln net.Listener, o Options) error {
	if o.Flags.MaxRequests > 0 {
		return errors.New("--max-requests recycles workers: it needs --workers")
	}
	if o.Flags.WorkerTimeout > 0 {
		return errors.New("--worker-timeout watches workers: it needs --workers")
	}
	lns, err := o.listeners(ln)
	if err != nil {
		return err
	}
	return serveProcess(ctx, lns, o, o.Force)
}

// serveWorker serves the master's socket until the master says stop
// (SIGTERM: graceful; SIGQUIT or SIGKILL: at once) or dies.
func serveWorker(ctx context.Context, ln net.Listener, o Options) error {
	extra, err := inheritedListeners() // the master's other --bind sockets
	if err != nil {
		ln.Close()
		return err
	}
	return serveProcess(ctx, append([]net.Listener{ln}, extra...), o, nil)
}

// listenerFiles returns a copy of each of lns as a file, for a master to
// pass its workers (ch06.Master.Files), named listener-1, listener-2 and
// so on; inheritedListeners finds them in a worker.
func listenerFiles(lns []net.Listener) (map[string]*os.File, error) {
	files := make(map[string]*os.File, len(lns)+1)
	for i, ln := range lns {
		f, err := ch06.ListenerFile(ln)
		if err != nil {
			closeFiles(files)
			return nil, fmt.Errorf("final: share the listener on %s: %w", ln.Addr(), err)
		}
		files[listenerFileName(i+1)] = f
	}
	return files, nil
}

// closeFiles closes every file of files.
func closeFiles(files map[string]*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// listenerFileName names the nth of the listeners a master passes its
// workers besides chapter 6's first.
func listenerFileName(n int) string { return "listener-" + strconv.Itoa(n) }

// inheritedListeners returns the listeners the master passed this worker
// besides chapter 6's first, in their order (listenerFiles).
func inheritedListeners() ([]net.Listener, error) {
	var lns []net.Listener
	for n := 1; ; n++ {
		f, err := ch06.InheritedFile(listenerFileName(n))
		if err != nil {
			closeListeners(lns)
			return nil, err
		}
		if f == nil {
			return lns, nil // no more
		}
		ln, err := net.FileListener(f)
		f.Close() // FileListener duplicated it
		if err != nil {
			closeListeners(lns)
			return nil, fmt.Errorf("final: inherited listener %d: %w", n, err)
		}
		lns = append(lns, ln)
	}
}

// listeners returns every socket this process serves: ln, if not nil,
// then o.Listeners, or Flags.Bind's addresses opened now.
func (o *Options) listeners(ln net.Listener) ([]net.Listener, error) {
	defer inherited().closeRest() // every address is open now: what is left is not ours
	extra := o.Listeners
	if extra == nil && len(o.Flags.Bind) > 0 {
		var err error
		if extra, err = ListenBinds(o.Flags.Bind); err != nil {
			return nil, err
		}
		for _, l := range extra {
			o.Logf("final: also listening on %s", describeListener(l, o.scheme()))
		}
	}
	var lns []net.Listener
	if ln != nil {
		lns = append(lns, ln)
	}
	lns = append(lns, extra...)
	if len(lns) == 0 {
		return nil, errors.New("final: nothing to listen on: give --host/--port or --bind")
	}
	return lns, nil
}

// scheme is "https" with --tls-cert, "http" otherwise.
func (o *Options) scheme() string {
	if o.Flags.TLSCert != "" {
		return "https"
	}
	return "http"
}

// closeListeners closes every listener (a Unix socket's file goes too).
func closeListeners(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// serveProcess serves lns in this process, all with the same handler: TLS
// if asked, the access log, worker recycling, and a graceful stop that
// closes every listener.
func serveProcess(ctx context.Context, lns []net.Listener, o Options, force <-chan struct{}) error {
	// Catch the signals before the access log opens: a SIGUSR1 sent while
	// it opens then waits, and reopens it after, rather than being lost.
	sigs := o.signals()
	defer sigs.Stop()
	up := o.upgrader(slices.Clone(lns)) // the sockets as opened, before TLS or PROXY wrap them
	if o.Flags.ProxyProtocol {
		// Under TLS: a load balancer sends the header before the handshake.
		trusted, err := parseAllowIPs(o.Flags.ForwardedAllowIPs)
		if err != nil {
			closeListeners(lns)
			return err
		}
		timeout := o.Flags.ReadHeaderTimeout
		if timeout <= 0 {
			timeout = ch05.DefaultReadHeaderTimeout
		}
		lns = newProxyListeners(lns, trusted, timeout, o.Logf)
	}
	if o.Flags.TLSCert != "" {
		cfg, err := tlsConfig(nil, o.Flags.TLSCert, o.Flags.TLSKey)
		if err != nil {
			closeListeners(lns)
			return err
		}
		for i, ln := range lns {
			lns[i] = tls.NewListener(ln, cfg)
		}
	}
	// Each serving process paces its own collector; a master serves
	// nothing and keeps Go's.
	defer ch09.StartHeapFloor(o.Flags.gcFloor()).Stop()
	accessLog, err := ch08.OpenAccessLog(o.Flags.AccessLog, o.Flags.AccessLogFormat, o.StatusStyle)
	if err != nil {
		closeListeners(lns)
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quit := newLatch()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-force:
			quit.close()
		case <-done:
		}
	}()
	sigs.Handle(func(sig os.Signal) {
		switch sig {
		case syscall.SIGQUIT:
			o.Logf("final: SIGQUIT: stopping now")
			quit.close()
			cancel()
		case syscall.SIGUSR1:
			if accessLog != nil {
				if err := accessLog.Reopen(); err != nil {
					o.Logf("final: reopen access log: %v", err)
					return
				}
				o.Logf("final: access log reopened")
			}
		case syscall.SIGUSR2:
			if !o.Worker { // a worker's master upgrades
				o.upgrade(up)
			}
		case syscall.SIGHUP, syscall.SIGTTIN, syscall.SIGTTOU:
			if !o.Worker {
				o.Logf("final: %s changes workers: start with --workers to use it", signalName(sig))
			}
		}
	})

	line, fields, fieldSize := o.Flags.requestLimits()
	srv := &Server{
		Handler:           o.Handler,
		ReadHeaderTimeout: o.Flags.ReadHeaderTimeout,
		ReadTimeout:       o.Flags.ReadTimeout,
		WriteTimeout:      o.Flags.WriteTimeout,
		IdleTimeout:       o.Flags.IdleTimeout,
		MaxHeaderBytes:    int(o.Flags.MaxHeaderBytes),
		MaxRequestLine:    line,
		MaxHeaderFields:   fields,
		MaxFieldSize:      fieldSize,
		MaxBodyBytes:      int64(o.Flags.MaxBody),
		LogConnLife:       o.Flags.LogLevel == "debug",
	}
	var inner *ch07.Server
	limit := o.recycleAfter()
	if limit > 0 {
		// Count requests as they start, so the last one's response can
		// still say "Connection: close" (keep-alive off from then on); once
		// it is answered, stop gracefully and exit 0: the master starts a
		// fresh worker in this one's place.
		var started atomic.Int64
		h := srv.Handler
		srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if started.Add(1) == limit {
				inner.SetKeepAlivesEnabled(false)
				o.Logf("final: served %d requests: recycling this worker", limit)
				defer cancel()
			}
			h.ServeHTTP(w, r)
		})
	}
	if accessLog != nil {
		srv.onResponse = func(r *http.Request, status int, written int64, start time.Time) {
			e := ch08.NewEntry(r, status, written, start)
			accessLog.Log(&e)
		}
	}
	if o.Flags.MaxConns > 0 {
		lns = limitListeners(lns, o.Flags.MaxConns, o.Logf)
	}
	inner = srv.server()
	inner.Server.Logf = o.Logf
	// Ready only now, with the access log open, TLS loaded and every
	// socket in hand: a reload retires an old worker on its replacement's
	// word, and an upgrade stops the old server on this one's, so a
	// process that would fail setting up must fail before it speaks.
	if o.Worker {
		err := ch06.NotifyReady()
		if err == nil {
			err = startHeartbeat(o.Flags.WorkerTimeout)
		}
		if err != nil {
			closeListeners(lns)
			if accessLog != nil {
				_ = accessLog.Close() // nothing was logged: the ready pipe's error is the one to report
			}
			return err
		}
	} else {
		notifyUpgradeReady()
	}
	// ch07.Run serves the first listener and stops the server; the others
	// are served by the same server, whose Shutdown closes them all.
	var extra sync.WaitGroup
	var extraErr error
	var extraOnce sync.Once
	for _, ln := range lns[1:] {
		extra.Go(func() {
			if err := inner.Serve(ln); err != nil && !errors.Is(err, ch07.ErrServerClosed) {
				extraOnce.Do(func() { extraErr = fmt.Errorf("serve %s: %w", ln.Addr(), err) })
				cancel()
			}
		})
	}
	err = ch07.Run(ctx, quit.ch, inner, lns[0], o.gracefulTimeout(), o.Logf)
	extra.Wait() // Run has closed the server, even after a failure: every loop returns
	if err == nil {
		err = extraErr
	}
	if accessLog != nil {
		// After the last response Run waited for: every line of those is
		// in. (A handler cut and still running past ch07.CutWait never
		// finishes its response, and has no line to lose.)
		if cerr := accessLog.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// recycleAfter is this worker's request budget: --max-requests plus a
// random share of --max-requests-jitter (0: never recycle).
func (o *Options) recycleAfter() int64 {
	if o.Flags.MaxRequests <= 0 {
		return 0
	}
	n := int64(o.Flags.MaxRequests)
	if o.Flags.MaxRequestsJitter > 0 {
		n += rand.Int64N(int64(o.Flags.MaxRequestsJitter) + 1)
	}
	return n
}

// signalName is a signal's short name, as kill(1) spells it: "SIGHUP",
// not the "hangup" its String method gives.
func signalName(sig os.Signal) string {
	names := map[os.Signal]string{
		syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
		syscall.SIGTERM: "SIGTERM", syscall.SIGTTIN: "SIGTTIN", syscall.SIGTTOU: "SIGTTOU",
		syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2",
	}
	if name, ok := names[sig]; ok {
		return name
	}
	return sig.String()
}

// OnSignals calls f for each of sigs until the returned stop is called.
func OnSignals(f func(os.Signal), sigs ...os.Signal) (stop func()) {
	q := QueueSignals(sigs...)
	q.Handle(f)
	return q.Stop
}

// SignalQueue catches signals from its creation on and hands them to a
// function once Handle gives one: a signal that arrives while a process
// is still setting up waits for it, instead of being lost or, for a
// signal a Go program does not catch, killing the process.
type SignalQueue struct {
	ch   chan os.Signal
	done chan struct{}
	once sync.Once
}

// QueueSignals starts catching sigs.
func QueueSignals(sigs ...os.Signal) *SignalQueue {
	q := &SignalQueue{ch: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(q.ch, sigs...)
	return q
}

// Handle calls f, in a goroutine of its own, for each signal caught so
// far and from now on, until Stop. Call it once.
func (q *SignalQueue) Handle(f func(os.Signal)) {
	go func() {
		for {
			select {
			case sig := <-q.ch:
				f(sig)
			case <-q.done:
				return
			}
		}
	}()
}

// Stop stops catching the signals and ends Handle's goroutine.
func (q *SignalQueue) Stop() {
	q.once.Do(func() {
		signal.Stop(q.ch)
		close(q.done)
	})
}

// latch is a channel closed at most once, from any goroutine.
type latch struct {
	once sync.Once
	ch   chan struct{}
}

func newLatch() *latch { return &latch{ch: make(chan struct{})} }

func (l *latch) close() { l.once.Do(func() { close(l.ch) }) }
