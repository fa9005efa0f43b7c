package learn_test

import (
	"strings"
	"testing"

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
