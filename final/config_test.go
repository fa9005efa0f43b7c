package final

import (
	"context"
	"fmt"
	"io"
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
// new workers refuse fails the reload and is undone, the workers it had
// replaced replaced again; a good one is what every worker started from
// then on runs, with the settings a running master keeps as it started
// with them. The workers here are a shell script that reports ready on
// fd 5 (chapter 6's ready pipe), or exits 2, as a worker refusing its
// flags does: always when its configuration says "refuse", and from the
// second time on when it says "second-fails".
func TestReloadChecksTheConfig(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("needs /proc to read what each worker runs")
	}
	dir := t.TempDir()
	worker := filepath.Join(dir, "worker.sh")
	script := `#!/bin/sh
case "$` + configEnv + `" in
*refuse*) exit 2 ;;
*second-fails*) [ -e "` + dir + `/once" ] && exit 2; touch "` + dir + `/once" ;;
esac
printf x >&5
exec sleep 60
`
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
	write(`{"idle-timeout": "5s", "graceful-timeout": "7s"}`)
	cfg, err := readMasterConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ln := testkit.Listen(t)
	m := &ch06.Master{Workers: 2, Executable: worker, Env: env(cfg.handed), Stdout: io.Discard, Stderr: io.Discard}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	var log testkit.LogRecorder
	// runs checks what the master hands and what each running worker got.
	runs := func(want string) {
		t.Helper()
		if cfg.handed != want || !slices.Equal(m.Env, env(want)) {
			t.Errorf("the master hands %q (env %q), want %q\n%s", cfg.handed, m.Env, want, strings.Join(log.Lines(), "\n"))
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			pids := m.Pids()
			var wrong []string
			for _, pid := range pids {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
				if !slices.Contains(strings.Split(string(b), "\x00"), configEnv+"="+want) {
					wrong = append(wrong, fmt.Sprint(pid))
				}
			}
			if len(pids) == 2 && len(wrong) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("workers %v of %v do not run %q\n%s", wrong, pids, want, strings.Join(log.Lines(), "\n"))
			}
		}
	}
	start := `{"graceful-timeout":"7s","idle-timeout":"5s"}`
	runs(start)

	for _, bad := range []string{`{"idle-timeout": "soon"}`, `{"idle-timout": "5s"}`, `not json`,
		`{"access-log": "` + strings.Repeat("a", maxConfig) + `"}`} {
		write(bad)
		cfg.reload(m, worker, log.Logf)
		runs(start)
	}
	if n := len(log.Matching("not reloading")); n != 4 {
		t.Errorf("%d reloads refused, want 4:\n%s", n, strings.Join(log.Lines(), "\n"))
	}

	write(`{"idle-timeout": "6s", "access-log": "refuse"}`) // parses; the first new worker refuses it
	cfg.reload(m, worker, log.Logf)
	runs(start)

	write(`{"idle-timeout": "6s", "access-log": "second-fails"}`) // the second new worker refuses it
	cfg.reload(m, worker, log.Logf)
	runs(start) // the first, which had replaced an old worker, is replaced again
	if len(log.Matching("undoing it: every worker again, with the old configuration (1 had the new one)")) != 1 {
		t.Errorf("the undone reload is not logged:\n%s", strings.Join(log.Lines(), "\n"))
	}

	write(`{"idle-timeout": "9s", "workers": 3, "graceful-timeout": "1s"}`)
	cfg.reload(m, worker, log.Logf)
	runs(`{"graceful-timeout":"7s","idle-timeout":"9s"}`) // the master's own, not the file's
	if len(log.Matching("graceful-timeout, workers changed in")) != 1 {
		t.Errorf("the log does not say which settings the master keeps:\n%s", strings.Join(log.Lines(), "\n"))
	}
}

// A --config that cannot be read, or names a key no flag has, says which
// file, once.
func TestConfigErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`{"prot": 8000}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	for path, want := range map[string]string{
		missing: "--config " + missing + ": no such file or directory",
		typo:    "--config " + typo + `: unknown key "prot"`,
	} {
		_, err := parse(t, "--config", path)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("--config %s: %v, want an error starting %q", path, err, want)
		}
	}
}
