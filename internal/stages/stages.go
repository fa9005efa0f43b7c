package stages

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"
	"strings"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/final"
)

// Config is what `learn run` passes to a stage: the final server's flags
// (a stage reads only those named in its Flags; zero values mean the
// stage's defaults) and what the CLI wires around them.
type Config struct {
	final.Flags
	// Logf receives the stage's log lines. Never nil.
	Logf ch01.Logf
	// StatusStyle colors status codes in a console access log on a
	// terminal; nil for none.
	StatusStyle func(code int, text string) string
	// Args is the learn command line that runs this stage; a prefork
	// master starts its workers with it.
	Args []string
	// Worker reports that this process is a worker a master started: ln
	// is the master's socket, inherited.
	Worker bool
	// Force is closed when the user asks a stopping stage to stop at once
	// (a second Ctrl+C). May be nil.
	Force <-chan struct{}
}

// ServeFunc serves a stage on ln until ctx is done, then stops the server
// and returns nil; any other return is a failure to report.
type ServeFunc func(ctx context.Context, ln net.Listener, cfg Config) error

// Stage is one step of the course.
type Stage struct {
	// ID names the stage on the command line: "ch01" … "ch09", "final".
	ID string
	// Title is the stage's topic, a few words.
	Title string
	// Summary says in one line what is new on the wire.
	Summary string
	// Flags are the `learn run` flags the stage uses besides --host and
	// --port, without dashes.
	Flags []string
	// Scripts are glob patterns, relative to the course files, of the
	// over-the-wire checks for the stage: its own, and those of earlier
	// stages whose behaviour it keeps. A pattern starting with "!" removes
	// the files it matches from those matched so far.
	Scripts []string
	// Try lists commands to try against a running stage; {addr}, {host}
	// and {port} are replaced.
	Try []string
	// Serve runs the stage. Nil while the stage is not written yet.
	Serve ServeFunc
}

// Ready reports whether the stage is written and can be run.
func (s Stage) Ready() bool { return s.Serve != nil }

// LessonPath is the lesson's path in the course files.
func (s Stage) LessonPath() string {
	if s.ID == "final" {
		return "final/README.md"
	}
	return "chapters/" + s.ID + "/README.md"
}

// Lesson returns the stage's lesson in Markdown.
func (s Stage) Lesson() (string, error) {
	b, err := fs.ReadFile(course.Files, s.LessonPath())
	if err != nil {
		return "", fmt.Errorf("stages: the %s lesson is not written yet", s.ID)
	}
	return string(b), nil
}

// ScriptFiles lists the stage's scripts in the course files, without
// duplicates, in the order a learner meets their failures (see
// sortScripts).
func (s Stage) ScriptFiles() ([]string, error) {
	seen := map[string]bool{}
	for _, pattern := range s.Scripts {
		exclude := strings.HasPrefix(pattern, "!")
		matches, err := fs.Glob(course.Files, strings.TrimPrefix(pattern, "!"))
		if err != nil {
			return nil, fmt.Errorf("stages: %s script pattern %q: %w", s.ID, pattern, err)
		}
		for _, m := range matches {
			seen[m] = !exclude
		}
	}
	var files []string
	for f, in := range seen {
		if in {
			files = append(files, f)
		}
	}
	if err := sortScripts(course.Files, files); err != nil {
		return nil, fmt.Errorf("stages: %s: %w", s.ID, err)
	}
	return files, nil
}

// ErrUnknownStage is returned by Lookup for an id that names no stage.
var ErrUnknownStage = errors.New("unknown stage")

// Lookup finds a stage by id ("ch01", "CH1", "1" and "final" all work).
func Lookup(id string) (Stage, error) {
	want := normalize(id)
	for _, s := range All() {
		if s.ID == want {
			return s, nil
		}
	}
	return Stage{}, fmt.Errorf("%w %q: choose one of %s", ErrUnknownStage, id, strings.Join(IDs(), ", "))
}

// normalize accepts "ch1", "1" and any letter case for "ch01".
func normalize(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	n := strings.TrimPrefix(id, "ch")
	isDigit := func(b byte) bool { return '0' <= b && b <= '9' }
	switch {
	case len(n) == 1 && isDigit(n[0]):
		return "ch0" + n
	case len(n) == 2 && isDigit(n[0]) && isDigit(n[1]):
		return "ch" + n
	}
	return id
}

// IDs lists every stage id in course order.
func IDs() []string {
	var ids []string
	for _, s := range All() {
		ids = append(ids, s.ID)
	}
	return ids
}

// scripts returns the glob patterns for the scripts of the given stages.
func scripts(ids ...string) []string {
	var p []string
	for _, id := range ids {
		p = append(p, path.Join("testdata", id, "*.txtar"))
	}
	return p
}
