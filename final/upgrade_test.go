package final

import (
	"cmp"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSameAddr: a handed-down listener matches the address a server would
// open by network, IP and port, or by path; never a port 0, which asks
// for a new port.
func TestSameAddr(t *testing.T) {
	tcp := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	unix := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
	for _, tc := range []struct {
		have          net.Addr
		network, addr string
		want          bool
	}{
		{tcp, "tcp", "127.0.0.1:8080", true},
		{tcp, "tcp", "localhost:8080", true},
		{tcp, "tcp", "127.0.0.1:8081", false},
		{tcp, "tcp", "127.0.0.2:8080", false},
		{tcp, "tcp", "127.0.0.1:0", false},
		{tcp, "unix", "127.0.0.1:8080", false},
		{any4, "tcp", ":8080", true},
		{any4, "tcp", "0.0.0.0:8080", true},
		{any4, "tcp", "127.0.0.1:8080", false},
		{unix, "unix", "/run/app.sock", true},
		{unix, "unix", "/run/other.sock", false},
		{unix, "tcp", "/run/app.sock", false},
	} {
		if got := sameAddr(tc.have, tc.network, tc.addr); got != tc.want {
			t.Errorf("sameAddr(%v, %q, %q) = %v, want %v", tc.have, tc.network, tc.addr, got, tc.want)
		}
	}
}

// TestHandedDownTake: take gives each listener once, to the address it
// listens on, and leaves the others.
func TestHandedDownTake(t *testing.T) {
	a, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := &handedDown{lns: []net.Listener{a, b}, fds: []int{3, 4}, owned: []bool{false, false}}
	if got := h.take("tcp", b.Addr().String()); got != b {
		t.Fatalf("take(%s) = %v, want the listener on it", b.Addr(), got)
	}
	if got := h.take("tcp", b.Addr().String()); got != nil {
		t.Fatalf("second take(%s) = %v, want nil: each is given once", b.Addr(), got)
	}
	if got := h.take("unix", a.Addr().String()); got != nil {
		t.Fatalf("take(unix, %s) = %v, want nil", a.Addr(), got)
	}
	if len(h.lns) != 1 || h.lns[0] != a {
		t.Fatalf("left %v, want only %v", h.lns, a.Addr())
	}
	if got := h.takeFD(4); got != nil {
		t.Fatalf("takeFD(4) after its listener was taken = %v, want nil", got)
	}
	if got := h.takeFD(3); got != a {
		t.Fatalf("takeFD(3) = %v, want the listener that came as descriptor 3", got)
	}
}

// TestPidFile: the file holds the pid and a newline; the function it
// returns removes it, or the FILE.oldbin an upgrade made of it, but never
// a file that names another process.
func TestPidFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.pid")
	remove, err := writePidFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Fatalf("pid file = %q, %v; want %d and a newline", b, err, os.Getpid())
	}

	// An upgrade: ours becomes .oldbin, the new server writes FILE.
	if err := os.Rename(path, path+".oldbin"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("99999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	remove()
	if _, err := os.Stat(path + ".oldbin"); !os.IsNotExist(err) {
		t.Errorf("FILE.oldbin naming us is still there (%v)", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("FILE naming the new server was removed: %v", err)
	}

	if _, err := writePidFile(filepath.Join(dir, "missing", "server.pid")); err == nil {
		t.Error("writePidFile in a missing directory: no error")
	}
	noop, err := writePidFile("")
	if err != nil {
		t.Fatal(err)
	}
	noop()
}

// TestCheckPidFile: a --pid file that another running server wrote is
// refused before anything listens, as is one in a missing directory; a
// stale one, or one naming this process, is not.
func TestCheckPidFile(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, content string
		path          string // if not "", instead of dir/server.pid
		refused       bool
	}{
		{name: "no file"},
		{name: "a running process", content: strconv.Itoa(os.Getppid()) + "\n", refused: true},
		{name: "an exited process", content: strconv.Itoa(dead.Process.Pid) + "\n"},
		{name: "this process", content: strconv.Itoa(os.Getpid()) + "\n"},
		{name: "not a pid", content: "hello\n"},
		{name: "missing directory", path: filepath.Join(dir, "missing", "server.pid"), refused: true},
	} {
		path := cmp.Or(tc.path, filepath.Join(dir, "server.pid"))
		os.Remove(path)
		if tc.content != "" {
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := checkPidFile(path, true); (err != nil) != tc.refused {
			t.Errorf("%s: checkPidFile() = %v, want refused %v", tc.name, err, tc.refused)
		}
	}
}

// TestHandedDownCloseRest: what no address took is closed, and take finds
// nothing after.
func TestHandedDownCloseRest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &handedDown{lns: []net.Listener{ln}, fds: []int{3}, owned: []bool{false}}
	h.closeRest()
	if _, err := ln.Accept(); err == nil {
		t.Fatal("the listener nobody took still accepts")
	}
	if got := h.take("tcp", ln.Addr().String()); got != nil {
		t.Fatalf("take after closeRest = %v, want nil", got)
	}
}

// TestHandedDownUnixOwnership: a Unix socket taken from what an upgrade
// handed down comes as a unixSocket that knows whether its file is this
// server's (FINAL_LISTEN_OWNED) and which server handed it over; the
// ownership follows each socket, whatever order they are taken in.
func TestHandedDownUnixOwnership(t *testing.T) {
	dir := t.TempDir()
	var lns []net.Listener
	for _, name := range []string{"ours.sock", "supervisor.sock"} {
		ln, err := net.Listen("unix", filepath.Join(dir, name))
		if err != nil {
			t.Skip(err)
		}
		defer ln.Close()
		lns = append(lns, ln)
	}
	h := &handedDown{lns: lns, fds: []int{3, 4}, owned: []bool{true, false}, parent: 4101}
	for _, tc := range []struct {
		name  string
		owned bool
	}{{"supervisor.sock", false}, {"ours.sock", true}} {
		got, ok := h.take("unix", filepath.Join(dir, tc.name)).(*unixSocket)
		if !ok {
			t.Fatalf("take(%s) is not a *unixSocket", tc.name)
		}
		if got.owned != tc.owned || got.parent != 4101 {
			t.Errorf("take(%s): owned %v, parent %d; want %v, 4101", tc.name, got.owned, got.parent, tc.owned)
		}
	}
}

// TestUpgraderNamesFDBinds: an upgrade tells the new server which handed-
// down socket each --bind fd://N was, in the order the sockets go
// (the --host/--port one first, then the binds as given): the new server
// reads the same command line, and its fd://3 must find the socket that
// was fd://3, not whatever arrives on descriptor 3 now.
func TestUpgraderNamesFDBinds(t *testing.T) {
	for _, tc := range []struct {
		binds []string
		lns   int
		want  string
	}{
		{nil, 1, "-"},
		{[]string{"fd://3"}, 2, "-,3"}, // --host/--port first, then fd://3
		{[]string{"fd://3"}, 1, "3"},   // fd://3 alone
		{[]string{"unix:/run/a.sock", "fd://7", "127.0.0.1:9000"}, 3, "-,7,-"},
	} {
		o := Options{Flags: Flags{Bind: tc.binds}}
		u := o.upgrader(make([]net.Listener, tc.lns))
		if got := strings.Join(u.fromFD, ","); got != tc.want {
			t.Errorf("binds %q over %d sockets: fromFD %q, want %q", tc.binds, tc.lns, got, tc.want)
		}
	}
}
