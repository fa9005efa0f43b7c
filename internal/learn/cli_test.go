package learn_test

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/learn"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"learn": learn.Exit})
}

// TestCLI runs testdata/cli/*.txtar: the learn command line as a user
// meets it, errors included. The harness commands are there so a script
// can hold a port busy.
func TestCLI(t *testing.T) {
	p := harness.Params(harness.BuiltinTarget("ch01"), nil)
	p.Dir = "testdata/cli"
	testscript.Run(t, p)
}
