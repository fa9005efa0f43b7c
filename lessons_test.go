package course_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fromMarker names the file a lesson's code excerpt is taken from; it
// stands on the line before the excerpt's fence:
//
//	<!-- from: chapters/ch06/master.go -->
//	```go
//	func (m *Master) Run(ctx context.Context, ln net.Listener) error {
//	...
//	```
var fromMarker = regexp.MustCompile(`^<!-- from: (\S+) -->$`)

// excerpt is one marked code block of a lesson.
type excerpt struct {
	lesson string
	line   int // of the marker
	source string
	lines  []string
}

// lessonExcerpts returns the marked excerpts of every lesson, and how many
// code blocks the lessons hold in all.
func lessonExcerpts(t *testing.T) (marked []excerpt, blocks int) {
	t.Helper()
	lessons, err := filepath.Glob("chapters/*/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, lesson := range append(lessons, "final/README.md") {
		data, err := os.ReadFile(lesson)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "```") {
				continue
			}
			// An opening fence: find its close.
			end := i + 1
			for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
				end++
			}
			blocks++
			if i > 0 {
				if m := fromMarker.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
					marked = append(marked, excerpt{lesson: lesson, line: i, source: m[1], lines: lines[i+1 : min(end, len(lines))]})
				}
			}
			i = end
		}
	}
	return marked, blocks
}

// squeeze drops a line's whitespace: an excerpt may be re-indented.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// elided reports whether an excerpt line stands for lines left out.
func elided(s string) bool {
	switch squeeze(s) {
	case "...", "…", "//...", "//…", "#...":
		return true
	}
	return false
}

// TestLessonExcerptsMatchTheCode: every excerpt that names its file still
// matches it: its lines, whitespace aside, appear in that file in the same
// order ("..." stands for lines left out). Prose drifts from fast-moving
// code; this catches it.
func TestLessonExcerptsMatchTheCode(t *testing.T) {
	marked, blocks := lessonExcerpts(t)
	t.Logf("%d of %d code blocks in the lessons name their source file", len(marked), blocks)
	for _, ex := range marked {
		src, err := os.ReadFile(ex.source)
		if err != nil {
			t.Errorf("%s:%d: the excerpt names %s: %v", ex.lesson, ex.line, ex.source, err)
			continue
		}
		var code []string
		for _, l := range strings.Split(string(src), "\n") {
			code = append(code, squeeze(l))
		}
		at := 0
		for _, l := range ex.lines {
			want := squeeze(l)
			if want == "" || elided(l) {
				continue
			}
			found := -1
			for k := at; k < len(code); k++ {
				if code[k] == want {
					found = k
					break
				}
			}
			if found < 0 {
				t.Errorf("%s:%d: excerpt from %s: line %q is not in the file (after line %d)", ex.lesson, ex.line, ex.source, strings.TrimSpace(l), at)
				break
			}
			at = found + 1
		}
	}
}

func TestElided(t *testing.T) {
	for _, s := range []string{"...", "\t// ...", "  …"} {
		if !elided(s) {
			t.Errorf("elided(%q) = false", s)
		}
	}
	if elided("x := y...") {
		t.Error(`elided("x := y...") = true`)
	}
}
