package learn

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// closedPipe fails every write, as a pipe whose reader has gone away does
// once SIGPIPE is caught (learn check | head).
type closedPipe struct{}

func (closedPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestClosedOutputStopsTheRun: when the output goes away mid-run, the run
// stops, every server it started is gone, its temporary directory too,
// and nothing is recorded.
func TestClosedOutputStopsTheRun(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("needs python3")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	t.Setenv("LEARN_CONFIG_DIR", filepath.Join(dir, "config"))
	// A server that writes its pid down, then drops every connection at
	// once: each check fails fast, so a result is written soon.
	server := filepath.Join(dir, "drop.py")
	script := `import argparse, os, socket
ap = argparse.ArgumentParser()
ap.add_argument("--host"); ap.add_argument("--port", type=int)
a = ap.parse_args()
open(os.path.join("pids", str(os.getpid())), "w").close()
s = socket.create_server((a.host, a.port))
while True:
    c, _ = s.accept(); c.close()
`
	if err := os.WriteFile(server, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "pids"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	app := &App{Stdout: closedPipe{}, Stderr: &stderr, Context: context.Background(),
		Getenv: func(k string) string { return os.Getenv(k) }}
	done := make(chan int, 1)
	go func() { done <- app.Main([]string{"check", "ch05", "--dir", dir, "--", python, server}) }()
	select {
	case code := <-done:
		if code == 0 {
			t.Errorf("learn check with its output closed exited 0")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("learn check went on with its output closed")
	}
	if !bytes.Contains(stderr.Bytes(), []byte(errOutputClosed.Error())) {
		t.Errorf("stderr = %q, want %q", stderr.String(), errOutputClosed)
	}
	pids, _ := os.ReadDir(filepath.Join(dir, "pids"))
	if len(pids) == 0 {
		t.Fatal("no server was started")
	}
	for _, p := range pids {
		pid, _ := strconv.Atoi(p.Name())
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("server pid %d outlived the run (kill 0: %v)", pid, err)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the run left %d entries in TMPDIR, first %s", len(left), left[0].Name())
	}
	if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
		if prog, _ := os.ReadDir(filepath.Join(dir, "config")); len(prog) > 0 {
			t.Errorf("the run recorded progress: %v", prog[0].Name())
		}
	}
}
