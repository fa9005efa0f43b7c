package course_test

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/internal/stages"
)

// scriptPaths lists every over-the-wire script in the repository: the
// stages' (testdata/, embedded) and the example apps' (final/testdata/).
func scriptPaths(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, root := range []string{"testdata", filepath.Join("final", "testdata")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") {
				paths = append(paths, filepath.ToSlash(p))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(paths) == 0 {
		t.Fatal("no scripts found")
	}
	return paths
}

// TestEveryScriptHasAHint: a learner whose server fails a check reads its
// hint, so every script carries a `-- hint --` section with some text.
func TestEveryScriptHasAHint(t *testing.T) {
	for _, p := range scriptPaths(t) {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(a.Files, func(f txtar.File) bool { return f.Name == "hint" })
		if i < 0 {
			t.Errorf("%s has no -- hint -- section", p)
		} else if len(strings.Fields(string(a.Files[i].Data))) < 5 {
			t.Errorf("%s: the hint is too short to help: %q", p, a.Files[i].Data)
		}
	}
}

// TestEveryStageScriptIsOrdered: each stage directory's order file lists
// its scripts, each once, and nothing else.
func TestEveryStageScriptIsOrdered(t *testing.T) {
	dirs, err := fs.Glob(course.Files, "testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		scripts, err := fs.Glob(course.Files, path.Join(dir, "*.txtar"))
		if err != nil || len(scripts) == 0 {
			continue
		}
		listed, err := stages.ReadOrder(course.Files, dir)
		if err != nil {
			t.Fatal(err)
		}
		if listed == nil {
			t.Errorf("%s has no %s", dir, stages.OrderFile)
			continue
		}
		var names []string
		for _, s := range scripts {
			names = append(names, strings.TrimSuffix(path.Base(s), ".txtar"))
		}
		for _, n := range names {
			if c := count(listed, n); c != 1 {
				t.Errorf("%s/%s lists %s %d times, want once", dir, stages.OrderFile, n, c)
			}
		}
		for _, n := range listed {
			if !slices.Contains(names, n) {
				t.Errorf("%s/%s lists %s, which is no script there", dir, stages.OrderFile, n)
			}
		}
	}
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// TestNoPointersOutside: nothing a learner reads names a file the
// repository does not hold (the team's own notes live outside it).
func TestNoPointersOutside(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != ".":
			return filepath.SkipDir
		case !d.IsDir() && !strings.HasSuffix(p, "_test.go") && slices.Contains([]string{".md", ".go", ".txtar"}, filepath.Ext(p)):
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"DESIGN" + ".md", "STYLE" + ".md", "../" + "shared"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s names %s, which a learner's clone does not have", f, bad)
			}
		}
	}
}

// chapterBudget is the most lines of code a chapter may hold (its non-test
// Go files, comment and blank lines not counted), so that it stays one
// idea a reader can hold. Chapters 2 and 4 are over the 850 that the
// others keep: their budgets are today's counts, which only go down.
var chapterBudget = map[string]int{"ch02": 1099, "ch04": 1302}

// TestChapterSizes keeps each chapter within its budget.
func TestChapterSizes(t *testing.T) {
	dirs, err := filepath.Glob("chapters/ch*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no chapters: %v", err)
	}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for line := range strings.Lines(string(data)) {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "//") {
					lines++
				}
			}
		}
		name := filepath.Base(dir)
		budget := chapterBudget[name]
		if budget == 0 {
			budget = 850
		}
		t.Logf("%s: %d lines of code (budget %d)", name, lines, budget)
		switch {
		case lines > budget:
			t.Errorf("%s holds %d lines of code, over its budget of %d: a chapter teaches one idea; move what only a later chapter needs to that chapter", dir, lines, budget)
		case budget > 850 && lines < budget:
			t.Errorf("%s is down to %d lines of code: lower its budget in chapterBudget to %d, so that it stays down", dir, lines, max(lines, 850))
		}
	}
}
