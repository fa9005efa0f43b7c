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
	var p progress
	if dir == "" {
		return p, nil
	}
	path := filepath.Join(dir, ProgressFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read progress: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return progress{}, fmt.Errorf("read progress %s: %w", path, err)
	}
	return p, nil
}

// passed reports whether stage id passed, and when.
func (p progress) passed(id string) (time.Time, bool) {
	rec, ok := p.Passed[id]
	return rec.At, ok
}
