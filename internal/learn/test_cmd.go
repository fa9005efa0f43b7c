package learn

import (
	"fmt"

	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/stages"
)

// TestCmd runs a stage's scripts against the built-in stage.
type TestCmd struct {
	Stage string `arg:"" help:"Stage to test: ${stages}."`
	ScriptFlags
}

// Run runs the scripts, prints a line per script, and fails if any script
// failed.
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
	res, err := runScripts(a, st, target, c.ScriptFlags)
	if err != nil {
		return err
	}
	if res.failed > 0 {
		return res.failure(st.ID, "")
	}
	a.style.ok.Fprintf(a.Stdout, "%s: %s passed\n", st.ID, res.counted())
	return nil
}

// counted says how many checks passed: "all 23 checks", or "2 of 23
// checks" after --run.
func (r scriptRun) counted() string {
	if r.ran < r.of {
		return fmt.Sprintf("%d of %d checks (--run)", r.passed, r.of)
	}
	return fmt.Sprintf("all %d checks", r.passed)
}

// failure is the error a run with failed checks returns; advice follows
// the counts.
func (r scriptRun) failure(id, advice string) error {
	msg := fmt.Sprintf("%s: %d of %d checks failed", id, r.failed, r.passed+r.failed)
	if r.failFast {
		msg = fmt.Sprintf("%s: a check failed; %v", id, errFailFast)
	}
	if advice != "" {
		msg += "; " + advice
	}
	return fmt.Errorf("%s", msg)
}
