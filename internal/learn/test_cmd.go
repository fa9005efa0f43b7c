package learn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/stages"
)

// TestCmd runs a stage's scripts against the built-in stage.
type TestCmd struct {
	Stage   string `arg:"" help:"Stage to test: ${stages}."`
	Verbose bool   `short:"v" help:"Show every script's log, not only the failures'."`
}

// Run runs the scripts one by one, prints a line per script, and fails if
// any script failed.
func (c *TestCmd) Run(a *App) error {
	st, err := stages.Lookup(c.Stage)
	if err != nil {
		return usageError{err}
	}
	if !st.Ready() {
		return fmt.Errorf("%s (%s) is not written yet: nothing to test", st.ID, st.Title)
	}
	self, err := a.executable()
	if err != nil {
		return err
	}
	target := harness.Target{Command: []string{self, "run", st.ID}}
	passed, failed, err := runScripts(a, st, target, c.Verbose)
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%s: %d of %d checks failed", st.ID, failed, passed+failed)
	}
	a.style.ok.Fprintf(a.Stdout, "%s: all %d checks passed\n", st.ID, passed)
	return nil
}

// runScripts runs the stage's scripts against target and prints a line for
// each. It returns how many passed and failed.
func runScripts(a *App, st stages.Stage, target harness.Target, verbose bool) (passed, failed int, err error) {
	files, err := st.ScriptFiles()
	if err != nil {
		return 0, 0, err
	}
	if len(files) == 0 {
		return 0, 0, fmt.Errorf("%s has no checks yet", st.ID)
	}
	dir, err := os.MkdirTemp("", "learn-scripts-")
	if err != nil {
		return 0, 0, fmt.Errorf("make a directory for the scripts: %w", err)
	}
	defer os.RemoveAll(dir)
	paths, err := harness.Extract(course.Files, files, dir)
	if err != nil {
		return 0, 0, err
	}
	hints := scriptHints(paths)
	s := a.style
	root := &reporter{verbose: verbose, onDone: func(r scriptResult) {
		d := r.Duration.Round(time.Millisecond)
		switch {
		case r.Failed:
			failed++
			s.printf("%s %s %s\n", s.bad.Sprint("FAIL"), r.Name, s.dim.Sprint(d))
			s.printf("%s", indent(r.Log))
			if hint := hints[r.Name]; hint != "" {
				s.printf("    %s %s\n", s.warn.Sprint("hint:"), strings.ReplaceAll(strings.TrimSpace(hint), "\n", "\n          "))
			}
			s.printf("\n")
		case r.Skipped:
			s.printf("%s %s\n", s.warn.Sprint("SKIP"), r.Name)
		default:
			passed++
			s.printf("%s %s %s\n", s.ok.Sprint("ok  "), r.Name, s.dim.Sprint(d))
			if verbose {
				s.printf("%s\n", indent(r.Log))
			}
		}
	}}
	testscript.RunT(root, harness.Params(target, paths))
	root.Wait()
	return passed, failed, nil
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

// indent shifts a log right so it reads as part of the line above it.
func indent(text string) string {
	out := ""
	for _, line := range splitLines(text) {
		out += "    " + line + "\n"
	}
	return out
}
