package final

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/internal/testkit"
)

// A worker reads the configuration its master handed it, not the file.
func TestWorkerReadsItsMastersConfig(t *testing.T) {
	t.Setenv(ch06.WorkerEnv, "1")
	t.Setenv(configEnv, `{"idle-timeout": "7s"}`)
	res, err := LoadConfig(strings.NewReader(`{"idle-timeout": "soon"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v := res.(configResolver)["idle-timeout"]; v != "7s" {
		t.Errorf("idle-timeout = %v, want the master's 7s", v)
	}
}

// SIGHUP reads --config again; a configuration that fails its check is
// not handed to the workers (the reload does not start), and a good one
// is, with the settings only a master's start applies named in the log.
func TestReloadChecksTheConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"idle-timeout": "5s", "workers": 2}`)
	cfg, err := readMasterConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &ch06.Master{Env: cfg.env()} // not running: its Reload only logs
	var log testkit.LogRecorder

	for _, bad := range []string{`{"idle-timeout": "soon"}`, `{"idle-timout": "5s"}`, `{"workers": -1}`, `not json`} {
		write(bad)
		reloadWith(m, cfg, log.Logf)
		if !slices.Equal(m.Env, []string{configEnv + `={"idle-timeout": "5s", "workers": 2}`}) {
			t.Errorf("%s: the workers' config became %q", bad, m.Env)
		}
	}
	if n := len(log.Matching("not reloading")); n != 4 {
		t.Errorf("%d reloads refused, want 4:\n%s", n, strings.Join(log.Lines(), "\n"))
	}

	write(`{"idle-timeout": "9s", "workers": 3}`)
	reloadWith(m, cfg, log.Logf)
	if !slices.Equal(m.Env, []string{configEnv + `={"idle-timeout": "9s", "workers": 3}`}) {
		t.Errorf("the workers' config is %q, want the new file's", m.Env)
	}
	if len(log.Matching("workers changed in")) != 1 {
		t.Errorf("the log does not say that workers is the master's:\n%s", strings.Join(log.Lines(), "\n"))
	}
}
