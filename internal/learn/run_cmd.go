package learn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/internal/stages"
)

// RunCmd runs one stage's server until Ctrl+C.
type RunCmd struct {
	Stage   string   `arg:"" help:"Stage to run: ${stages}."`
	Host    string   `default:"127.0.0.1" help:"Address to listen on."`
	Port    int      `default:"8080" help:"TCP port to listen on (0 picks a free one)."`
	Workers int      `help:"Worker processes sharing the port (stages that prefork)."`
	MaxBody ByteSize `help:"Largest request body accepted, e.g. 1MiB; larger gets 413 (0: the stage's default)."`
	Trace   bool     `help:"Show every connection's bytes in and out."`

	IdleTimeout       time.Duration `help:"Close a keep-alive connection idle this long (default 5s)."`
	ReadHeaderTimeout time.Duration `help:"Time allowed to read a request's head, the slowloris guard (default 10s)."`
	GracefulTimeout   time.Duration `help:"On SIGTERM/SIGINT, time in-flight requests get to finish (default 30s)."`
	AccessLog         string        `help:"Where the access log goes: a file path, - for stdout (default), or off."`
	AccessLogFormat   string        `help:"Access log format: console (default), common, combined or json."`
}

// alwaysAllowed are the run flags every stage takes.
var alwaysAllowed = []string{"host", "port", "help", "no-color", "trace"}

// Run checks the flags against the stage, listens, prints what to try, and
// serves until the App's context is cancelled.
func (c *RunCmd) Run(a *App, kctx *kong.Context) error {
	st, err := stages.Lookup(c.Stage)
	if err != nil {
		return usageError{err}
	}
	if !st.Ready() {
		return fmt.Errorf("%s (%s) is not written yet: `learn list` shows the stages you can run", st.ID, st.Title)
	}
	if err := checkFlags(st, kctx); err != nil {
		return err
	}
	if c.Port < 0 || c.Port > 65535 {
		return usagef("--port %d is out of range: use 1-65535, or 0 for any free port", c.Port)
	}
	if c.Workers < 0 {
		return usagef("--workers %d: use a positive number", c.Workers)
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"idle-timeout", c.IdleTimeout}, {"read-header-timeout", c.ReadHeaderTimeout}, {"graceful-timeout", c.GracefulTimeout}} {
		if d.v < 0 {
			return usagef("--%s %v: use a positive duration such as 5s", d.flag, d.v)
		}
	}

	ctx, worker := a.Context, ch06.IsWorker(a.Getenv)
	var ln net.Listener
	if worker {
		// A worker serves the socket its master passed down. Ctrl+C in a
		// terminal reaches the whole process group: the worker leaves it
		// to the master, which stops workers with SIGTERM. It also stops
		// if the master dies.
		signal.Ignore(os.Interrupt)
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		if err := ch06.WatchMaster(cancel); err != nil {
			return err
		}
		if ln, err = ch06.InheritedListener(); err != nil {
			return err
		}
	} else {
		if ln, err = listen(c.Host, c.Port); err != nil {
			return err
		}
		banner(a.style, st, ln.Addr().(*net.TCPAddr))
	}
	if c.Trace {
		t := &tracer{s: a.style}
		if worker {
			t.pid = os.Getpid()
		} else {
			a.style.dim.Fprintln(a.Stdout, traceLegend)
		}
		ln = &traceListener{Listener: ln, t: t}
	}
	cfg := stages.Config{
		Args:              a.args,
		Worker:            worker,
		Force:             a.Force,
		Workers:           c.Workers,
		MaxBody:           int64(c.MaxBody),
		IdleTimeout:       c.IdleTimeout,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		GracefulTimeout:   c.GracefulTimeout,
		AccessLog:         c.AccessLog,
		AccessLogFormat:   c.AccessLogFormat,
		Logf:              lineLogger(a),
	}
	if err := st.Serve(ctx, ln, cfg); err != nil {
		return fmt.Errorf("%s: %w", st.ID, err)
	}
	if !worker {
		a.style.dim.Fprintln(a.Stderr, "stopped")
	}
	return nil
}

// checkFlags rejects a flag the stage does not use, rather than silently
// ignoring it.
func checkFlags(st stages.Stage, kctx *kong.Context) error {
	allowed := append(slices.Clone(alwaysAllowed), st.Flags...)
	for _, f := range kctx.Flags() {
		if f.Set && !slices.Contains(allowed, f.Name) {
			takes := "--host and --port"
			if len(st.Flags) > 0 {
				takes = "--host, --port, --" + strings.Join(st.Flags, ", --")
			}
			return usagef("%s does not use --%s (it takes %s)", st.ID, f.Name, takes)
		}
	}
	return nil
}

// listen opens the stage's socket, turning the usual failures into one
// line a learner can act on.
func listen(host string, port int) (net.Listener, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %d is in use on %s: stop the other server or pick another with --port", port, host)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("no permission to listen on port %d: ports below 1024 need privileges, use --port 8080", port)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("cannot listen on %s: %s is not an address of this machine", addr, host)
	default:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, fmt.Errorf("cannot listen on %s: unknown host %q", addr, host)
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
}

// banner tells the learner where the stage listens and what to try.
func banner(s *style, st stages.Stage, addr *net.TCPAddr) {
	host, port := addr.IP.String(), strconv.Itoa(addr.Port)
	vars := strings.NewReplacer("{addr}", net.JoinHostPort(host, port), "{host}", host, "{port}", port)
	s.printf("%s %s\n", s.title.Sprint(st.ID), s.title.Sprint("· "+st.Title))
	s.printf("listening on %s (pid %d)\n", s.b.Sprint(net.JoinHostPort(host, port)), os.Getpid())
	if len(st.Try) > 0 {
		s.printf("\nTry, in another terminal:\n")
		for _, t := range st.Try {
			s.printf("  %s\n", s.code.Sprint(vars.Replace(t)))
		}
	}
	s.printf("\nStop with Ctrl+C.\n")
}

// lineLogger returns a Logf that writes whole lines to Stderr, one at a
// time, for stages that log from many goroutines.
func lineLogger(a *App) func(format string, args ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(a.Stderr, strings.TrimRight(line, "\n"))
	}
}
