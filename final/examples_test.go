package final_test

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpfromscratch/course/internal/harness"
)

// examples are the programs of examples/ that run a real app on
// final.Main, each with its scripts in testdata/examples/NAME.
var examples = []string{"servemux", "chi", "gin"}

// TestExamples builds each example program with `go build`, as a user
// would, and runs its scripts against the binary: the harness starts it
// with --host and --port and talks to it over the wire. Each example is
// built once, for all of its scripts (the build cache makes a rerun
// quick); one script holds one behaviour, and one server. Under
// `go test -race` the examples are built with -race too, so a data race
// in the server under a real app fails the script that exits it.
func TestExamples(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the examples are built with the go command, which is not on PATH")
	}
	root, err := filepath.Abs("..") // this package's directory is final/
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, err := filepath.Glob(filepath.Join("testdata", "examples", name, "*.txtar"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no scripts in testdata/examples/%s (%v)", name, err)
			}
			app := buildExample(t, goBin, root, name, bin)
			p := harness.Params(harness.Target{Command: []string{app}}, files)
			setup := p.Setup
			p.Setup = func(env *testscript.Env) error {
				// Before the harness's setup, which hands the script's
				// environment to the server: a -race build otherwise
				// waits a second at every exit.
				env.Setenv("GORACE", "atexit_sleep_ms=0")
				return setup(env)
			}
			testscript.Run(t, p)
		})
	}
}

// buildExample builds ./examples/NAME of the module at root into dir and
// returns the binary's path.
func buildExample(t *testing.T, goBin, root, name, dir string) string {
	t.Helper()
	app := filepath.Join(dir, name)
	args := []string{"build", "-o", app}
	if raceEnabled() {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, "./examples/"+name)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/%s: %v\n%s", name, err, out)
	}
	return app
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
