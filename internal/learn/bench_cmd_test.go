package learn_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/book"
	"github.com/httpfromscratch/course/internal/learn"
)

// TestBenchIdleFlags checks the flags of `learn bench --idle` that are
// refused before any server starts: one line on stderr, exit status 2.
func TestBenchIdleFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"without --compare", []string{"--idle", "100"}, "learn: --idle goes with --compare"},
		{"zero", []string{"--compare", "net/http", "--idle", "0"}, "learn: --idle 0: use 1 to 50000"},
		{"negative", []string{"--compare", "net/http", "--idle=-5"}, "learn: --idle -5: use 1 to 50000"},
		{"too many", []string{"--compare", "net/http", "--idle", "50001"}, "learn: --idle 50001: use 1 to 50000"},
		{"with --workers", []string{"--compare", "final", "--idle", "100", "--workers", "2"},
			"learn: --idle reads the memory of the one process that holds the connections: leave out --workers"},
		{"with --no-keep-alive", []string{"--compare", "net/http", "--idle", "100", "--no-keep-alive"},
			"learn: --idle holds keep-alive connections: leave out --no-keep-alive"},
		{"with --pipeline", []string{"--compare", "net/http", "--idle", "100", "--pipeline", "4"},
			"learn: --pipeline does not apply to --idle"},
		{"with -c", []string{"--compare", "net/http", "--idle", "100", "-c", "10"},
			"learn: --connections does not apply to --idle"},
		{"with -d", []string{"--compare", "net/http", "--idle", "100", "-d", "1s"},
			"learn: --duration does not apply to --idle"},
		{"with -n", []string{"--compare", "net/http", "--idle", "100", "-n", "10"},
			"learn: --requests does not apply to --idle"},
		{"with --port", []string{"--compare", "net/http", "--idle", "100", "--port", "9000"},
			"learn: --port names a running server; --compare starts its own"},
		{"bad list", []string{"--compare", "ch99", "--idle", "100"}, `learn: --compare: unknown stage "ch99"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			app := &learn.App{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "1" }} // NO_COLOR
			code := app.Main(append([]string{"bench"}, tt.args...))
			if code != 2 || !strings.HasPrefix(stderr.String(), tt.want) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("learn bench %s: exit %d, stderr %q; want exit 2 and one line starting %q",
					strings.Join(tt.args, " "), code, stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("learn bench %s wrote to stdout: %q", strings.Join(tt.args, " "), stdout.String())
			}
		})
	}
}

// learnBinary returns a path that runs the test binary as learn: it
// does when called by that name (TestMain).
func learnBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "learn")
	if err := os.Symlink(self, bin); err != nil {
		t.Skipf("cannot name the test binary learn: %v", err)
	}
	return bin
}

// TestCompareKeepsResults: `learn bench --compare` keeps its results in
// the config directory, beside progress, for `learn book` to chart.
func TestCompareKeepsResults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	bin := learnBinary(t)
	config := t.TempDir()
	env := map[string]string{"NO_COLOR": "1", "LEARN_CONFIG_DIR": config}
	var stdout, stderr strings.Builder
	app := &learn.App{Stdout: &stdout, Stderr: &stderr, Executable: bin, Getenv: func(k string) string { return env[k] }}
	args := []string{"bench", "--compare", "net/http", "-n", "200", "--rounds", "1", "-c", "2"}
	for run := 1; run <= 2; run++ {
		if code := app.Main(args); code != 0 {
			t.Fatalf("learn %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
	}
	data, err := os.ReadFile(filepath.Join(config, book.BenchFile))
	if err != nil {
		t.Fatalf("no results kept: %v\nstderr: %s", err, stderr.String())
	}
	var kept struct {
		Runs []struct {
			At         time.Time `json:"at"`
			Command    []string  `json:"command"`
			Comparison struct {
				Mode    string `json:"mode"`
				Servers []struct {
					Name      string  `json:"name"`
					MedianRPS float64 `json:"median_requests_per_second"`
				} `json:"servers"`
			} `json:"comparison"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &kept); err != nil {
		t.Fatal(err)
	}
	if len(kept.Runs) != 2 {
		t.Fatalf("%d runs kept, want 2", len(kept.Runs))
	}
	r := kept.Runs[1]
	if r.At.IsZero() || strings.Join(r.Command, " ") != strings.Join(args, " ") || r.Comparison.Mode != "compare" ||
		len(r.Comparison.Servers) != 1 || r.Comparison.Servers[0].Name != "net/http" || r.Comparison.Servers[0].MedianRPS <= 0 {
		t.Errorf("kept run %+v", r)
	}
}

// TestCompareFastHTTP: `learn bench --compare` takes fasthttp as a peer,
// starts it with `learn serve-fasthttp` and measures it beside net/http.
func TestCompareFastHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	bin := learnBinary(t)
	env := map[string]string{"NO_COLOR": "1", "LEARN_CONFIG_DIR": t.TempDir()}
	var stdout, stderr strings.Builder
	app := &learn.App{Stdout: &stdout, Stderr: &stderr, Executable: bin, Getenv: func(k string) string { return env[k] }}
	args := []string{"bench", "--compare", "FastHTTP, net/http", "-n", "200", "--rounds", "1", "-c", "2", "--json"}
	if code := app.Main(args); code != 0 {
		t.Fatalf("learn %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	var doc struct {
		Servers []struct {
			Name      string  `json:"name"`
			MedianRPS float64 `json:"median_requests_per_second"`
		} `json:"servers"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if len(doc.Servers) != 2 || doc.Servers[0].Name != "fasthttp" || doc.Servers[0].MedianRPS <= 0 ||
		doc.Servers[1].Name != "net/http" || doc.Servers[1].MedianRPS <= 0 {
		t.Errorf("servers %+v; want fasthttp and net/http, both measured", doc.Servers)
	}
}
