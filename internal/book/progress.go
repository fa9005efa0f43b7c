package book

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ProgressFile is the name, in the config directory, of the record of
// passed stages that `learn check` writes and `learn list` reads. The
// book reads only what it shows of it: which stages passed, and when.
const ProgressFile = "progress.json"

// progress is the part of the progress file the book reads.
type progress struct {
	Passed map[string]struct {
		At time.Time `json:"at"`
	} `json:"passed"`
}

// loadProgress reads the progress file in dir; a missing file, or no
// dir, is no progress.
func loadProgress(dir string) (progress, error) {
	return readJSON[progress](dir, ProgressFile, "progress")
}

// readJSON reads the JSON file name in dir into a T; a missing file, or no
// dir, is T's zero value. what names the file in errors.
func readJSON[T any](dir, name, what string) (T, error) {
	var v T
	if dir == "" {
		return v, nil
	}
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return v, nil
	}
	if err != nil {
		return v, fmt.Errorf("read %s: %w", what, err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	return v, nil
}

// passed reports whether stage id passed, and when.
func (p progress) passed(id string) (time.Time, bool) {
	rec, ok := p.Passed[id]
	return rec.At, ok
}
