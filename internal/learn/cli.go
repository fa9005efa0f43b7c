package learn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/kongexit"
	"github.com/httpfromscratch/course/internal/stages"
)

// CLI is the root of the command line: global flags and one field per
// command.
type CLI struct {
	NoColor bool `help:"Turn colors off (also when NO_COLOR is set or output is not a terminal)."`

	List  ListCmd  `cmd:"" help:"List the stages of the course, with your progress."`
	Read  ReadCmd  `cmd:"" help:"Show a stage's lesson in the terminal."`
	Run   RunCmd   `cmd:"" help:"Run a stage's server with the demo app."`
	Test  TestCmd  `cmd:"" help:"Run a stage's over-the-wire checks against the built-in stage."`
	Check CheckCmd `cmd:"" help:"Run a stage's checks against your own server, in any language."`
	Next  NextCmd  `cmd:"" help:"Name the next stage to work on and how to start it."`
	Bench BenchCmd `cmd:"" help:"Measure a server's requests/s and latency, or compare stages with net/http."`
	Book  BookCmd  `cmd:"" help:"Serve the course as a web book, with your progress and bench charts."`

	ServeNetHTTP  ServeNetHTTPCmd  `cmd:"" hidden:"" name:"serve-net-http" help:"Serve the demo app with net/http (the baseline of bench --compare)."`
	ServeFastHTTP ServeFastHTTPCmd `cmd:"" hidden:"" name:"serve-fasthttp" help:"Serve GET / with fasthttp (a peer of bench --compare)."`
}

// App holds what a command needs from the outside world. Tests build one
// with buffers and a context they control; Main wires the real process.
type App struct {
	Stdout, Stderr io.Writer
	// Getenv reads the environment (NO_COLOR). If nil, os.Getenv.
	Getenv func(string) string
	// Context is cancelled when the user asks to stop (Ctrl+C, SIGTERM).
	Context context.Context
	// Force is closed when the user asks again while stopping (a second
	// Ctrl+C): stop at once. May be nil.
	Force <-chan struct{}
	// Executable is the path of the learn binary, for commands that start
	// stages in processes of their own. If empty, os.Executable.
	Executable string
	// HangupStops makes SIGHUP, a closed terminal, stop a command as
	// Ctrl+C does (Main sets it): a check or a benchmark then stops its
	// servers and removes its files, and a server in one process flushes
	// its log. A prefork master keeps its own meaning for it (reload).
	HangupStops bool

	style *style
	args  []string // the command line, for a master to start its workers with
}

// Main runs the learn command line as a process: os.Args, the real
// terminal, the first SIGINT/SIGTERM cancelling the context and a second
// one closing Force. It returns the exit status.
func Main() int {
	ctx, force, stop := ch07.StopSignals(context.Background())
	defer stop()
	// A write to a closed pipe (learn check | head) returns EPIPE instead
	// of killing the process, so a check run can stop its servers first.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	app := &App{Stdout: os.Stdout, Stderr: os.Stderr, Context: ctx, Force: force, HangupStops: true}
	return app.Main(os.Args[1:])
}

// Exit is Main followed by os.Exit, the shape testscript.Main wants.
func Exit() { os.Exit(Main()) }

// Main parses args and runs the command, returning the exit status: 0, 1
// when the command failed, 2 when the command line was wrong. Errors are
// one line on Stderr.
func (a *App) Main(args []string) (code int) {
	if a.Getenv == nil {
		a.Getenv = os.Getenv
	}
	if a.Context == nil {
		a.Context = context.Background()
	}
	a.args = args
	noColor := a.Getenv("NO_COLOR") != "" || hasFlag(args, "--no-color")
	a.style = newStyle(a.Stdout, noColor)
	errStyle := newStyle(a.Stderr, noColor)

	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("learn"),
		kong.Description("Build an HTTP/1.1 server in Go, one chapter at a time: list, read, run and test each stage."),
		kong.Writers(a.Stdout, a.Stderr),
		kongexit.Option(),
		kong.Vars{"stages": strings.Join(stages.IDs(), ", ")},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Bind(a),
		kong.Configuration(final.LoadConfig),
	)
	if err != nil {
		panic(err) // the CLI struct itself is wrong: a bug, caught by tests
	}
	defer kongexit.Recover(&code)
	kctx, err := parser.Parse(args)
	if err != nil {
		errStyle.fail("learn: %v (see learn --help)", err)
		return 2
	}
	if a.HangupStops && !strings.HasPrefix(kctx.Command(), "run ") {
		// `learn run` decides by stage (run_cmd.go).
		stop := a.stopOnHangup()
		defer stop()
	}
	if err := kctx.Run(); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			errStyle.fail("learn: %v", err)
			return 2
		}
		errStyle.fail("learn: %v", err)
		return 1
	}
	return 0
}

// stopOnHangup makes SIGHUP cancel a.Context, until the returned stop is
// called.
func (a *App) stopOnHangup() (stop func()) {
	ctx, cancel := context.WithCancel(a.Context)
	a.Context = ctx
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case <-hup:
			cancel()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
		cancel()
	}
}

// usageError is a command-line mistake found after parsing (a flag the
// stage does not take, a port out of range): exit status 2, like a parse
// error.
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// hasFlag reports whether args hold flag before a "--".
func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == flag {
			return true
		}
	}
	return false
}

// executable returns the path to the learn binary.
func (a *App) executable() (string, error) {
	if a.Executable != "" {
		return a.Executable, nil
	}
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the learn binary: %w", err)
	}
	return p, nil
}
