package book

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// BenchFile is the name, in the config directory, of the file that keeps
// the last `learn bench --compare` runs for the book's /bench page.
const BenchFile = "bench.json"

// KeepRuns is how many runs BenchFile keeps; older ones are dropped.
const KeepRuns = 10

// BenchRun is one `learn bench --compare` run, as kept in BenchFile.
type BenchRun struct {
	// At is when the run ended.
	At time.Time `json:"at"`
	// Command is the command line, without "learn".
	Command []string `json:"command"`
	// Comparison is the JSON document `learn bench --compare --json`
	// prints (mode "compare").
	Comparison json.RawMessage `json:"comparison"`
}

// benchHistory is BenchFile's content.
type benchHistory struct {
	Runs []BenchRun `json:"runs"` // oldest first
}

// SaveBench adds run to BenchFile in dir, keeping the last KeepRuns runs,
// and replaces the file atomically. A file that cannot be read as runs
// is started afresh.
func SaveBench(dir string, run BenchRun) error {
	if !json.Valid(run.Comparison) {
		return errors.New("keep bench results: the comparison is not JSON")
	}
	h, _ := loadBench(dir)
	h.Runs = append(h.Runs, run)
	if len(h.Runs) > KeepRuns {
		h.Runs = h.Runs[len(h.Runs)-KeepRuns:]
	}
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("keep bench results: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("keep bench results: %w", err)
	}
	path := filepath.Join(dir, BenchFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("keep bench results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keep bench results: %w", err)
	}
	return nil
}

// loadBench reads BenchFile in dir; a missing file, or no dir, is no
// runs.
func loadBench(dir string) (benchHistory, error) {
	return readJSON[benchHistory](dir, BenchFile, "bench results")
}

// comparison is the part of a comparison's JSON document the charts
// show (see internal/bench's WriteComparisonJSON).
type comparison struct {
	Load struct {
		Connections int     `json:"connections"`
		Seconds     float64 `json:"seconds"`
		Requests    int64   `json:"requests"`
		KeepAlive   bool    `json:"keep_alive"`
		Pipeline    int     `json:"pipeline"`
		Path        string  `json:"path"`
	} `json:"load"`
	Rounds   int    `json:"rounds"`
	Baseline string `json:"baseline"`
	Servers  []struct {
		Name      string   `json:"name"`
		Skipped   string   `json:"skipped"`
		Failed    string   `json:"failed"`
		MedianRPS float64  `json:"median_requests_per_second"`
		Ratio     *float64 `json:"ratio"`
		Total     *struct {
			Errors    int64 `json:"errors"`
			LatencyMS struct {
				P99 float64 `json:"p99"`
			} `json:"latency_ms"`
		} `json:"total"`
	} `json:"servers"`
}
