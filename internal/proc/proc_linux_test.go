package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/procfs"
)

// stat is the line of a process's stat file in /proc: pid, command name,
// state, parent, process group, then utime, stime, cutime, cstime in their
// places among the other 52 fields, which are zero.
func stat(pid int, comm, state string, ppid, pgrp, utime, stime, cutime, cstime int) string {
	f := make([]string, 52)
	for i := range f {
		f[i] = "0"
	}
	f[0], f[1], f[2], f[3], f[4] = fmt.Sprint(pid), "("+comm+")", state, fmt.Sprint(ppid), fmt.Sprint(pgrp)
	f[13], f[14], f[15], f[16] = fmt.Sprint(utime), fmt.Sprint(stime), fmt.Sprint(cutime), fmt.Sprint(cstime)
	return strings.Join(f, " ") + "\n"
}

// fakeProc lays out a /proc in a temporary folder: a server, 4200, that
// leads its process group; its worker 4242, with spaces and parentheses
// in its name; a worker that exited and was not waited for, 4300, in a
// group of its own; and an init, 1.
func fakeProc(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"1/stat":      stat(1, "init", "S", 0, 1, 5, 5, 0, 0),
		"4200/stat":   stat(4200, "server", "S", 1, 4200, 150, 50, 7, 3),
		"4200/status": "Name:\tserver\nState:\tS (sleeping)\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 100 kB\n",
		"4200/limits": "Limit                     Soft Limit           Hard Limit           Units     \n" +
			"Max cpu time              unlimited            unlimited            seconds   \n" +
			"Max open files            1024                 unlimited            files     \n",
		"4242/stat":   stat(4242, "a (b) c", "R", 4200, 4200, 10, 5, 0, 0),
		"4242/status": "Name:\ta (b) c\nVmRSS:\t7 kB",
		"4300/stat":   stat(4300, "server", "Z", 4200, 4300, 1, 1, 0, 0),
		"4300/status": "Name:\tserver\nState:\tZ (zombie)\n",
		"meminfo":     "MemTotal: 1 kB\n",
	}
	writeFiles(t, root, files)
	return root
}

// writeFiles writes each file under root, its folders made as needed.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFakeProc(t *testing.T) {
	root := fakeProc(t)
	fs, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}

	if n, err := rss(fs, 4200); err != nil || n != 12345<<10 {
		t.Errorf("rss(4200) = %d, %v, want %d", n, err, 12345<<10)
	}
	if n, err := rss(fs, 4242); err != nil || n != 7<<10 {
		t.Errorf("rss(4242), last line without newline = %d, %v, want %d", n, err, 7<<10)
	}
	for _, pid := range []int{4300, 999} {
		if n, err := rss(fs, pid); err == nil {
			t.Errorf("rss(%d) = %d, want an error: a zombie, a process that is not", pid, n)
		}
	}

	for _, tt := range []struct {
		pid, root int
		want      bool
	}{
		{4200, 4200, true},
		{4242, 4200, true}, // a command name with spaces and parentheses
		{4300, 4200, true},
		{4200, 4242, false},
		{4242, 4300, false},
		{999, 4200, false},
		{1, 4200, false},
	} {
		if got := descendant(fs, tt.pid, tt.root); got != tt.want {
			t.Errorf("descendant(%d, %d) = %v, want %v", tt.pid, tt.root, got, tt.want)
		}
	}

	for pid, want := range map[int]bool{4200: true, 4242: true, 4300: false, 999: false} {
		if got := alive(fs, pid); got != want {
			t.Errorf("alive(%d) = %v, want %v", pid, got, want)
		}
	}

	// The server's ticks and its waited-for children's, and its worker's:
	// 150+50+7+3 + 10+5, at 100 a second.
	if got, err := groupCPU(fs, 4200); err != nil || got != 2250*time.Millisecond {
		t.Errorf("groupCPU(4200) = %v, %v, want 2.25s", got, err)
	}
	if got, err := groupCPU(fs, 5555); err == nil {
		t.Errorf("groupCPU(a group with no process) = %v, want an error", got)
	}

	if soft, hard, err := openFileLimits(root, 4200); err != nil || soft != 1024 || hard != ^uint64(0) {
		t.Errorf("openFileLimits(4200) = %d, %d, %v, want 1024 and the largest uint64 (unlimited)", soft, hard, err)
	}
	if _, _, err := openFileLimits(root, 4242); err == nil {
		t.Errorf("openFileLimits(a process without limits) = nil error")
	}
}

// TestFakeProcStrays: the descendants of a server that left its group,
// at any depth, with their start times; not its own group's, nor another
// tree's.
func TestFakeProcStrays(t *testing.T) {
	root := t.TempDir()
	started := func(line string, start int) string { // sets field 22, starttime (a comm without spaces)
		f := strings.Fields(line)
		f[21] = fmt.Sprint(start)
		return strings.Join(f, " ") + "\n"
	}
	writeFiles(t, root, map[string]string{
		"1/stat":    stat(1, "init", "S", 0, 1, 0, 0, 0, 0),
		"4200/stat": started(stat(4200, "server", "S", 1, 4200, 0, 0, 0, 0), 700),
		"4242/stat": stat(4242, "worker", "S", 4200, 4200, 0, 0, 0, 0),
		"4300/stat": started(stat(4300, "setsid-worker", "S", 4242, 4300, 0, 0, 0, 0), 777),
		"4301/stat": started(stat(4301, "its-child", "S", 4300, 4300, 0, 0, 0, 0), 778),
		"5000/stat": stat(5000, "someone else", "S", 1, 5000, 0, 0, 0, 0),
		"5001/stat": stat(5001, "their child", "S", 5000, 5000, 0, 0, 0, 0),
	})
	fs, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := strays(fs, Stray{4200, 700})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b Stray) int { return a.PID - b.PID })
	if want := []Stray{{4300, 777}, {4301, 778}}; !slices.Equal(got, want) {
		t.Errorf("strays(4200) = %v, want %v", got, want)
	}
	if got, err := strays(fs, Stray{5000, 0}); err != nil || len(got) != 0 {
		t.Errorf("strays(5000) = %v, %v, want none", got, err)
	}
	// The pid 4200 now belongs to a process started later: its tree is
	// not the server's.
	if got, err := strays(fs, Stray{4200, 699}); err != nil || len(got) != 0 {
		t.Errorf("strays(4200 started at 699) = %v, %v, want none: another process has the pid", got, err)
	}
}

// TestStrayKillChecksTheStartTime: a Stray whose pid now belongs to a
// process started at another time is not signalled.
func TestStrayKillChecksTheStartTime(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	waited := false
	t.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	fs, err := procFS()
	if err != nil {
		t.Fatal(err)
	}
	p, err := fs.Proc(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	stat, err := p.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if (Stray{PID: cmd.Process.Pid, Start: stat.Starttime + 1}).Kill() {
		t.Fatal("Kill signalled a process with another start time")
	}
	if !(Stray{PID: cmd.Process.Pid, Start: stat.Starttime}).Kill() {
		t.Fatal("Kill did not signal the process it names")
	}
	err = cmd.Wait()
	waited = true
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the process ended with %v, want killed", err)
	}
}

// TestZombie checks that a child that has exited is not alive while it
// waits to be reaped, nor after.
func TestZombie(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if Alive(pid) {
		t.Errorf("Alive(%d) = true 5s after it ran true", pid)
	}
	if _, err := RSS(pid); err == nil {
		t.Errorf("RSS(a zombie) = nil error")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if Alive(pid) {
		t.Errorf("Alive(%d) = true after it was waited for", pid)
	}
}

// TestFakeProcListeners adds sockets to the fake /proc: port 23649 (5C61)
// listened on by the server's worker 4242 (inode 777) and connected on by
// someone (888); port 8080 (1F90) listened on, over IPv6, by 4300, a
// group of its own; port 4660 (1234) only connected on.
func TestFakeProcListeners(t *testing.T) {
	root := fakeProc(t)
	files := map[string]string{
		"net/tcp": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 0100007F:5C61 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0\n" +
			"   1: 0100007F:5C61 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 888 1 0000000000000000 20 4 30 10 -1\n" +
			"   2: 0100007F:1234 0100007F:9C41 01 00000000:00000000 00:00000000 00000000  1000        0 889 1 0000000000000000 20 4 30 10 -1\n",
		"net/tcp6": "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0 0 10 0\n",
	}
	writeFiles(t, root, files)
	links := map[string]string{
		"4200/fd/0": "/dev/null",
		"4200/fd/1": "socket:[888]", // not a listener: a connection on the port
		"4242/fd/3": "socket:[777]",
		"4300/fd/3": "socket:[555]",
	}
	for name, target := range links {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pgid, port int
		want       bool
		wantErr    bool
	}{
		{4200, 23649, true, false},  // its worker holds the listener
		{4300, 23649, false, false}, // someone else's
		{4300, 8080, true, false},   // over IPv6
		{4200, 8080, false, false},
		{4200, 4660, false, true}, // connections, no listener: cannot tell
		{4200, 9999, false, true}, // nothing on the port
	} {
		got, err := groupListens(fs, root, tt.pgid, tt.port)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("groupListens(%d, %d) = %v, %v; want %v, error %v", tt.pgid, tt.port, got, err, tt.want, tt.wantErr)
		}
	}
	if err := os.RemoveAll(filepath.Join(root, "4242/fd")); err != nil {
		t.Fatal(err)
	}
	if got, err := groupListens(fs, root, 4200, 23649); err == nil {
		t.Errorf("groupListens with a group member's files unreadable = %v, nil; want an error", got)
	}
}
