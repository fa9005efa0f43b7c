package final

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/internal/testkit"
)

// A worker reads the configuration its master handed it, not the file,
// which it does not even open.
func TestWorkerReadsItsMastersConfig(t *testing.T) {
	t.Setenv(ch06.WorkerEnv, "1")
	t.Setenv(configEnv, `{"idle-timeout": "7s"}`)
	f, err := parse(t, "--config", filepath.Join(t.TempDir(), "gone.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.IdleTimeout != 7*time.Second {
		t.Errorf("idle-timeout = %v, want the master's 7s", f.IdleTimeout)
	}
}

// SIGHUP reads --config again. A file that does not parse, or is too
// large to hand over, stops the reload before any worker starts; one the
// new workers refuse fails the reload and is taken back; a good one is
// what every worker started from then on runs. The workers here are a
// shell script that reports ready on fd 5 (chapter 6's ready pipe), or
// exits 2, as a worker refusing its flags does, when its configuration
// says "refuse".
func TestReloadChecksTheConfig(t *testing.T) {
	dir := t.TempDir()
	worker := filepath.Join(dir, "worker.sh")
	script := "#!/bin/sh\ncase \"$" + configEnv + "\" in *refuse*) exit 2;; esac\nprintf x >&5\nexec sleep 60\n"
	if err := os.WriteFile(worker, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.json")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := `{"idle-timeout": "5s"}`
	write(good)
	cfg, err := readMasterConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &ch06.Master{Workers: 1, Executable: worker, Env: env(cfg.content), Stdout: io.Discard, Stderr: io.Discard}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-m.Serving():
	case <-time.After(10 * time.Second):
		t.Fatal("the worker never reported ready")
	}
	var log testkit.LogRecorder
	runs := func(content string) {
		t.Helper()
		if cfg.content != content || !slices.Equal(m.Env, env(content)) {
			t.Errorf("the workers run %q (env %q), want %q\n%s", cfg.content, m.Env, content, strings.Join(log.Lines(), "\n"))
		}
	}

	for _, bad := range []string{`{"idle-timeout": "soon"}`, `{"idle-timout": "5s"}`, `not json`, `{"x": "` + strings.Repeat("a", maxConfig) + `"}`} {
		write(bad)
		cfg.reload(m, worker, log.Logf)
		runs(good)
	}
	if n := len(log.Matching("not reloading")); n != 4 {
		t.Errorf("%d reloads refused, want 4:\n%s", n, strings.Join(log.Lines(), "\n"))
	}

	write(`{"idle-timeout": "6s", "access-log": "refuse"}`) // parses; the new worker refuses it
	cfg.reload(m, worker, log.Logf)
	runs(good)
	if len(log.Matching("reload abandoned")) != 1 {
		t.Errorf("the failed reload is not logged:\n%s", strings.Join(log.Lines(), "\n"))
	}

	next := `{"idle-timeout": "9s", "workers": 3}`
	write(next)
	cfg.reload(m, worker, log.Logf)
	runs(next)
	if len(log.Matching("workers changed in")) != 1 {
		t.Errorf("the log does not say that workers is the master's:\n%s", strings.Join(log.Lines(), "\n"))
	}
}
