// Package stagetest runs a stage's over-the-wire scripts from `go test`:
// a chapter's test file calls Main from TestMain, which installs the learn
// CLI as the `learn` command scripts start, and Run from a test.
//
//	func TestMain(m *testing.M) { stagetest.Main(m) }
//	func TestScripts(t *testing.T) { stagetest.Run(t, "ch01") }
package stagetest

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/internal/harness"
	"github.com/httpfromscratch/course/internal/learn"
	"github.com/httpfromscratch/course/internal/stages"
)

// Main runs the tests of a package whose scripts start stages: when the
// test binary is invoked as `learn`, it is the learn CLI.
func Main(m *testing.M) {
	testscript.Main(m, map[string]func(){"learn": learn.Exit})
}

// Run runs every script of the stage (its own and those it keeps from
// earlier stages) against the built-in stage, each as a parallel subtest.
func Run(t *testing.T, id string) {
	t.Helper()
	st, err := stages.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	files, err := st.ScriptFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("stage %s has no scripts", id)
	}
	paths, err := harness.Extract(course.Files, files, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, harness.Params(harness.BuiltinTarget(st.ID), paths))
}
