package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Extract copies scripts from fsys into dir and returns their new paths.
// Each is named after its stage and file, "ch02-reject-version.txtar", so
// the script names testscript reports are unique across stages.
func Extract(fsys fs.FS, files []string, dir string) ([]string, error) {
	var paths []string
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("harness: read script: %w", err)
		}
		p := filepath.Join(dir, ScriptName(f)+".txtar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, fmt.Errorf("harness: write script: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// ScriptName names a script by its stage directory and file:
// "testdata/ch02/reject-version.txtar" is "ch02-reject-version".
func ScriptName(file string) string {
	stage := path.Base(path.Dir(file))
	return stage + "-" + strings.TrimSuffix(path.Base(file), ".txtar")
}
