package learn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/stages"
)

// ScriptFlags are the flags `learn test` and `learn check` share: which
// checks to run and how to report them.
type ScriptFlags struct {
	Run      string `placeholder:"REGEXP" help:"Run only the checks whose name matches REGEXP (as go test -run): --run idle, --run 'ch05-(keepalive|pipelining)'."`
	FailFast bool   `name:"failfast" help:"Stop at the first failure."`
	Verbose  bool   `short:"v" help:"Show every check's log, not only the failures'."`
}

// validate reports a bad --run pattern, before anything runs.
func (f ScriptFlags) validate() error {
	if _, err := regexp.Compile(f.Run); err != nil {
		return usagef("--run: %v", err)
	}
	return nil
}

// filter returns the files whose check name matches --run.
func (f ScriptFlags) filter(st stages.Stage, files []string) ([]string, error) {
	if f.Run == "" {
		return files, nil
	}
	re, err := regexp.Compile(f.Run)
	if err != nil {
		return nil, usagef("--run: %v", err)
	}
	var kept, names []string
	for _, file := range files {
		name := harness.ScriptName(file)
		names = append(names, name)
		if re.MatchString(name) {
			kept = append(kept, file)
		}
	}
	if len(kept) == 0 {
		return nil, usagef("--run %q matches none of %s's checks: %s", f.Run, st.ID, strings.Join(names, " "))
	}
	return kept, nil
}

// Why a run of the scripts ended early.
var (
	errInterrupted  = errors.New("interrupted: every server it started is stopped, and nothing was recorded")
	errOutputClosed = errors.New("the output was closed: every server it started is stopped")
	errFailFast     = errors.New("stopped at the first failure (--failfast)")
)

// scriptRun is the outcome of running a stage's scripts.
type scriptRun struct {
	passed, failed int
	ran, of        int  // scripts run, scripts the stage has
	failFast       bool // stopped early after a failure
}

// scriptDrainTimeout bounds how long a run cut short waits for the
// scripts still running to notice their servers are gone.
const scriptDrainTimeout = 5 * time.Second

// runScripts runs the stage's scripts against target, prints a line for
// each (a block for each failure), and returns the counts. It stops,
// killing every server the scripts started, letting the scripts still
// running end (scriptDrainTimeout at most) and removing their files,
// when a.Context ends (Ctrl+C), when its output is closed (learn check |
// head), or after the first failure with --failfast.
func runScripts(a *App, st stages.Stage, target harness.Target, flags ScriptFlags) (scriptRun, error) {
	all, err := st.ScriptFiles()
	if err != nil {
		return scriptRun{}, err
	}
	if len(all) == 0 {
		return scriptRun{}, fmt.Errorf("%s has no checks yet", st.ID)
	}
	files, err := flags.filter(st, all)
	if err != nil {
		return scriptRun{}, err
	}
	dir, err := os.MkdirTemp("", "learn-scripts-")
	if err != nil {
		return scriptRun{}, fmt.Errorf("make a directory for the scripts: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			a.style.warn.Fprintf(a.Stderr, "learn: could not remove the scripts' directory: %v\n", err)
		}
	}()
	paths, err := harness.Extract(course.Files, files, dir)
	if err != nil {
		return scriptRun{}, err
	}
	sources := map[string]string{} // check name -> its file in the course
	for _, f := range files {
		sources[harness.ScriptName(f)] = f
	}
	hints := scriptHints(paths)

	ctx, cancel := context.WithCancelCause(a.Context)
	defer cancel(nil)
	target.Group = &harness.Group{}
	s := a.style.to(&watchedWriter{w: a.Stdout, onErr: func(error) { cancel(errOutputClosed) }})
	res := scriptRun{ran: len(files), of: len(all)}
	root := &reporter{verbose: flags.Verbose, onDone: func(r scriptResult) bool {
		printResult(s, r, sources[r.Name], hints[r.Name], flags.Verbose, dir)
		switch {
		case r.Failed:
			res.failed++
			if flags.FailFast {
				res.failFast = true
				cancel(errFailFast)
				return false
			}
		case !r.Skipped:
			res.passed++
		}
		return true
	}}
	params := harness.Params(target, paths)
	// Work directories under dir, so that removing dir removes them even
	// when the run is cut short.
	params.WorkdirRoot = dir
	done := make(chan struct{})
	go func() {
		defer close(done)
		testscript.RunT(root, params)
		root.Wait()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	// After stop, no report changes res: reading it is safe.
	root.stop()
	target.Group.Stop() // every server, with its workers, is gone
	// The scripts still running end soon without their servers. Wait for
	// them, for a while at most, so that none makes a file in dir after
	// the deferred RemoveAll has emptied it.
	drain := time.NewTimer(scriptDrainTimeout)
	defer drain.Stop()
	select {
	case <-done:
	case <-drain.C:
	}
	switch cause := context.Cause(ctx); {
	case ctx.Err() == nil, errors.Is(cause, errFailFast):
		return res, nil
	case a.Context.Err() != nil:
		return res, errInterrupted
	default:
		return res, cause
	}
}

// printResult prints one script's outcome: a line, and for a failure the
// block a learner reads (see printFailure); with -v, every log.
func printResult(s *style, r scriptResult, source, hint string, verbose bool, dir string) {
	d := r.Duration.Round(time.Millisecond)
	switch {
	case r.Failed:
		printFailure(s, r, source, hint)
		if verbose {
			s.printf("%s\n", indent(cleanLog(r.Log, dir, source)))
		}
	case r.Skipped:
		s.printf("%s %s\n", s.warn.Sprint("SKIP"), r.Name)
	default:
		s.printf("%s %s %s\n", s.ok.Sprint("ok  "), r.Name, s.dim.Sprint(d))
		if verbose {
			s.printf("%s\n", indent(cleanLog(r.Log, dir, source)))
		}
	}
}

// printFailure prints a failed check as one block:
//
//	FAIL ch01-echo (testdata/ch01/echo.txtar:11) 342ms
//	    proves:   The server sends back each message as it arrives, …
//	    sent:     "hello, echo\n"
//	    step:     recv -n 12
//	    recv: the bytes stopped early: the server closed the connection
//	    expected: 12 bytes
//	    got:      11 bytes, then the server closed the connection: "hello, echo"
//	    hint:     Write back every byte as soon as you read it, …
func printFailure(s *style, r scriptResult, source, hint string) {
	f := parseFailure(r.Log)
	where := source
	if f.Line > 0 {
		where = fmt.Sprintf("%s:%d", source, f.Line)
	}
	s.printf("%s %s %s %s\n", s.bad.Sprint("FAIL"), s.b.Sprint(r.Name), s.dim.Sprint("("+where+")"), s.dim.Sprint(r.Duration.Round(time.Millisecond)))
	field := func(label, text string) {
		if text = strings.TrimSpace(text); text != "" {
			s.printf("    %s %s\n", s.dim.Sprintf("%-9s", label+":"), strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", 14)))
		}
	}
	field("proves", wrap(f.Proves, 66))
	for _, sent := range f.Sent {
		field("sent", sent)
	}
	field("step", f.Command)
	for i, line := range f.Report {
		if i == 0 {
			s.printf("    %s\n", s.bad.Sprint(line))
		} else {
			s.printf("%s\n", indent(line))
		}
	}
	field("hint", s.warn.Sprint(strings.TrimSpace(hint)))
	s.printf("\n")
}

// cleanLog is a script's log for -v: the script's course path instead of
// the temporary one, and without testscript's WORK= line.
func cleanLog(log, dir, source string) string {
	var out []string
	for _, line := range splitLines(log) {
		if strings.HasPrefix(line, "WORK=") {
			continue
		}
		if i := strings.Index(line, dir+string(filepath.Separator)); i >= 0 {
			end := strings.Index(line[i:], ".txtar")
			if end > 0 {
				line = line[:i] + source + line[i+end+len(".txtar"):]
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		if n > 0 && n+1+len(w) > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// scriptHints reads the `-- hint --` section of each script: a few lines
// written for a learner whose server fails that check.
func scriptHints(paths []string) map[string]string {
	hints := map[string]string{}
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		for _, f := range a.Files {
			if f.Name == "hint" {
				hints[strings.TrimSuffix(filepath.Base(p), ".txtar")] = string(f.Data)
			}
		}
	}
	return hints
}

// indent shifts text right so it reads as part of the line above it.
func indent(text string) string {
	var b strings.Builder
	for _, line := range splitLines(text) {
		b.WriteString("    " + line + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// watchedWriter passes writes on and calls onErr at the first that fails:
// the reader of a pipe went away (learn check | head), so the run stops.
type watchedWriter struct {
	w     io.Writer
	onErr func(error)
	once  sync.Once
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		w.once.Do(func() { w.onErr(err) })
	}
	return n, err
}
