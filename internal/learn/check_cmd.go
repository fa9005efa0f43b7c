package learn

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/stages"
)

// CheckCmd runs a stage's scripts against the learner's own server.
type CheckCmd struct {
	Stage   string   `arg:"" help:"Stage to check: ${stages}."`
	Command []string `arg:"" optional:"" passthrough:"" help:"Your server's command, after --. It is started as COMMAND --host 127.0.0.1 --port PORT; {host}, {port}, {workers} in it are replaced instead when present, and HOST, PORT, WORKERS are set in its environment."`
	Dir     string   `help:"Directory to start your server in (default: the current directory)." type:"existingdir"`
	ScriptFlags
}

// Run checks the learner's server and records the stage as passed when
// every check ran and passed: not after --run, and never when the run was
// interrupted.
func (c *CheckCmd) Run(a *App) error {
	st, err := stages.Lookup(c.Stage)
	if err != nil {
		return usageError{err}
	}
	command := c.Command
	if len(command) > 0 && command[0] == "--" {
		command = command[1:]
	}
	if len(command) == 0 {
		return usagef("give your server's command after --, e.g. learn check %s -- python3 server.py", st.ID)
	}
	if err := c.validate(); err != nil {
		return err
	}
	dir := c.Dir
	if dir == "" {
		if dir, err = currentDir(); err != nil {
			return err
		}
	}
	if err := findCommand(command[0], dir); err != nil {
		return err
	}
	a.style.printf("Checking %s (%s) against: %s\n\n", a.style.b.Sprint(st.ID), st.Title, strings.Join(command, " "))
	target := harness.Target{Command: command, Dir: dir}
	res, err := runScripts(a, st, target, c.ScriptFlags)
	if err != nil {
		return err
	}
	a.style.printf("\n")
	if res.failed > 0 {
		return res.failure(st.ID, "fix the first one and run the same command again")
	}
	if res.ran < res.of {
		a.style.ok.Fprintf(a.Stdout, "%s: %s passed. ", st.ID, res.counted())
		a.style.printf("Run them all (without --run) to record the stage.\n")
		return nil
	}
	a.style.ok.Fprintf(a.Stdout, "%s: %s passed. ", st.ID, res.counted())
	if err := a.recordPass(st.ID, passRecord{At: time.Now().UTC(), Checks: res.passed, Command: command}); err != nil {
		a.style.warn.Fprintf(a.Stderr, "learn: could not record your progress: %v\n", err)
	}
	if next, ok := nextStage(st.ID); ok {
		a.style.printf("Next: %s\n", a.style.code.Sprint("learn read "+next.ID))
	} else {
		a.style.printf("That was the last stage.\n")
	}
	return nil
}

// nextStage returns the stage after id.
func nextStage(id string) (stages.Stage, bool) {
	all := stages.All()
	for i, st := range all {
		if st.ID == id && i+1 < len(all) {
			return all[i+1], true
		}
	}
	return stages.Stage{}, false
}

// findCommand checks that the server's command can be started, looked up
// as it will be, from dir: a program that is not there is one line here,
// not the same failure in every check.
func findCommand(name, dir string) error {
	path := name
	if strings.Contains(name, "/") && !filepath.IsAbs(name) {
		path = filepath.Join(dir, name)
	}
	if _, err := exec.LookPath(path); err != nil {
		if errors.Is(err, exec.ErrNotFound) && !strings.Contains(name, "/") {
			return fmt.Errorf("your server's command %q is not on your PATH: give its path (./%s) or install it", name, name)
		}
		return fmt.Errorf("your server's command %q cannot be run: %w", name, err)
	}
	return nil
}
