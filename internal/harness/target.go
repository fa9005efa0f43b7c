package harness

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Host is the only address checks ever use: loopback.
const Host = "127.0.0.1"

// Target says which server a script's `start` runs.
type Target struct {
	// Command is the server's command line. If it holds any of the
	// placeholders {host}, {port} or {workers}, they are replaced and
	// nothing is appended; otherwise "--host HOST --port PORT" (and
	// "--workers N" when the script asks for workers) are appended. A bare
	// program name is looked up in the script's PATH.
	Command []string
	// Dir is the directory the server runs in. If empty, the script's
	// work directory.
	Dir string
	// Group tracks the servers the scripts start, so that the caller can
	// stop them all (Group.Stop). May be nil.
	Group *Group
}

// BuiltinTarget runs a built-in stage through the learn binary found in
// the script's PATH: `learn run STAGE --host … --port …`.
func BuiltinTarget(stage string) Target {
	return Target{Command: []string{"learn", "run", stage}}
}

// argv builds the command line for one start: the target's command with
// its placeholders filled or the host and port flags appended, then the
// script's own flags.
func (t Target) argv(port, workers int, extra []string) []string {
	vars := strings.NewReplacer("{host}", Host, "{port}", strconv.Itoa(port), "{workers}", strconv.Itoa(workers))
	var argv []string
	for _, a := range t.Command {
		argv = append(argv, vars.Replace(a))
	}
	if !t.templated() {
		argv = append(argv, "--host", Host, "--port", strconv.Itoa(port))
		if workers > 0 && !slices.Contains(extra, "--workers") {
			argv = append(argv, "--workers", strconv.Itoa(workers))
		}
	}
	return append(argv, extra...)
}

// templated reports whether the command holds a placeholder, and so gets
// nothing appended.
func (t Target) templated() bool {
	return slices.ContainsFunc(t.Command, func(a string) bool {
		return strings.Contains(a, "{host}") || strings.Contains(a, "{port}") || strings.Contains(a, "{workers}")
	})
}

// missingPort says, for a command that holds placeholders but not {port},
// why the server may not have found its port; "" otherwise.
func (t Target) missingPort() string {
	if !t.templated() || slices.ContainsFunc(t.Command, func(a string) bool { return strings.Contains(a, "{port}") }) {
		return ""
	}
	return "Your command holds a placeholder, so nothing was added to it: no --host, no --port.\n" +
		"Write {host} and {port} in it too, or read HOST and PORT from the environment.\n"
}

// lookPath finds a bare program name in the given PATH value, the script's
// PATH rather than this process's, so testscript's `learn` is found.
func lookPath(name, path string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return name, nil
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("harness: %q not found in PATH", name)
}
