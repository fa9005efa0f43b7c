package learn

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/chapters/ch08"
	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/stages"
)

// RunCmd runs one stage's server until Ctrl+C. Its flags are the final
// server's (final.Flags); each stage accepts the ones it uses.
type RunCmd struct {
	Stage string `arg:"" help:"Stage to run: ${stages}."`
	final.Flags
	Trace bool `help:"Show every connection's bytes in and out."`
}

// alwaysAllowed are the run flags every stage takes.
var alwaysAllowed = []string{"host", "port", "help", "no-color", "trace", "config"}

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
	if c.Flags.CheckConfig {
		if err := c.Flags.CheckAll(); err != nil {
			return usageError{err}
		}
		a.style.ok.Fprintf(a.Stdout, "%s: the configuration is good\n", st.ID)
		return nil
	}
	if err := c.Flags.Check(); err != nil {
		return usageError{err}
	}

	worker := ch06.IsWorker(a.Getenv)
	if a.HangupStops && !worker && c.Flags.Workers == 0 && st.ID != "ch06" && st.ID != "final" {
		// One process: a closed terminal stops it as Ctrl+C would, and
		// chapter 8's log is flushed. (Chapter 6's master, with or
		// without --workers, reloads on SIGHUP; final handles it itself.)
		stop := a.stopOnHangup()
		defer stop()
	}
	ctx := a.Context
	var ln net.Listener
	if worker {
		// A worker serves the socket its master passed down. Ctrl+C in a
		// terminal, and the SIGHUP of a terminal that closes, reach the
		// whole process group: the worker leaves them to the master,
		// which stops workers with SIGTERM and replaces them on SIGHUP.
		// It also stops if the master dies.
		signal.Ignore(os.Interrupt, syscall.SIGHUP)
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		if err := ch06.WatchMaster(cancel); err != nil {
			return err
		}
		// The stage tells the master it is ready (ch06.NotifyReady) once
		// it is set up to serve: a master replacing a worker stops the old
		// one on that word.
		if ln, err = ch06.InheritedListener(); err != nil {
			return err
		}
	} else {
		if slices.Contains(st.Flags, "access-log") {
			// Before the banner: a log that cannot be opened is the one
			// line the run prints, not an error after "listening on".
			if err := ch08.CheckAccessLog(c.Flags.AccessLog, c.Flags.AccessLogFormat); err != nil {
				return err
			}
		}
		if ln, err = final.Listen(c.Host, c.Port); err != nil {
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
		Flags:       c.Flags,
		Args:        a.args,
		Worker:      worker,
		Force:       a.Force,
		StatusStyle: a.style.statusFunc(),
		Logf:        lineLogger(a),
	}
	if err := st.Serve(ctx, ln, cfg); err != nil {
		if strings.HasPrefix(err.Error(), st.ID+":") {
			return err // the stage's package named itself already
		}
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
//
// In a worker each line starts with the worker's name (ch06.LogPrefix).
func lineLogger(a *App) func(format string, args ...any) {
	var mu sync.Mutex
	prefix := ch06.LogPrefix(os.Getenv)
	return func(format string, args ...any) {
		line := prefix + fmt.Sprintf(format, args...)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(a.Stderr, strings.TrimRight(line, "\n"))
	}
}
