package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// progressFile is where passed stages are recorded, under the user's
// config directory (LEARN_CONFIG_DIR overrides it, for tests and for
// learners who keep several attempts apart).
const progressFile = "httpfromscratch/progress.json"

// progress records the stages a learner's own server has passed with
// `learn check`.
type progress struct {
	Passed map[string]passRecord `json:"passed"`
}

// passRecord says when a stage passed and with which command.
type passRecord struct {
	At      time.Time `json:"at"`
	Checks  int       `json:"checks"`
	Command []string  `json:"command"`
}

// progressPath returns the progress file's path.
func (a *App) progressPath() (string, error) {
	if dir := a.Getenv("LEARN_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, filepath.Base(progressFile)), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory for progress: %w", err)
	}
	return filepath.Join(dir, progressFile), nil
}

// loadProgress reads the progress file; a missing file is no progress.
func (a *App) loadProgress() (*progress, error) {
	p := &progress{Passed: map[string]passRecord{}}
	path, err := a.progressPath()
	if err != nil {
		return p, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read progress: %w", err)
	}
	if err := json.Unmarshal(data, p); err != nil {
		return &progress{Passed: map[string]passRecord{}}, fmt.Errorf("read progress %s: %w", path, err)
	}
	if p.Passed == nil {
		p.Passed = map[string]passRecord{}
	}
	return p, nil
}

// recordPass marks a stage passed and saves the file atomically.
func (a *App) recordPass(stage string, rec passRecord) error {
	p, err := a.loadProgress()
	if err != nil {
		return err
	}
	p.Passed[stage] = rec
	path, err := a.progressPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	return nil
}
