package final

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseBind(t *testing.T) {
	tests := []struct {
		in      string
		want    Bind
		wantErr string // "" for valid
	}{
		{"127.0.0.1:8080", Bind{Network: "tcp", Addr: "127.0.0.1:8080"}, ""},
		{"tcp://127.0.0.1:8080", Bind{Network: "tcp", Addr: "127.0.0.1:8080"}, ""},
		{"localhost:0", Bind{Network: "tcp", Addr: "localhost:0"}, ""},
		{":8080", Bind{Network: "tcp", Addr: ":8080"}, ""},
		{"[::1]:8080", Bind{Network: "tcp", Addr: "[::1]:8080"}, ""},
		{"[::]:80", Bind{Network: "tcp", Addr: "[::]:80"}, ""},
		{"unix:/run/app.sock", Bind{Network: "unix", Addr: "/run/app.sock"}, ""},
		{"unix:///run/app.sock", Bind{Network: "unix", Addr: "/run/app.sock"}, ""},
		{"unix:app.sock", Bind{Network: "unix", Addr: "app.sock"}, ""},
		{"fd://3", Bind{Network: "fd", FD: 3}, ""},
		{"fd://12", Bind{Network: "fd", FD: 12}, ""},

		{"http://127.0.0.1:8080", Bind{}, `unknown scheme "http"`},
		{"ftp:/x", Bind{}, `unknown scheme "ftp"`},
		{"unix:", Bind{}, "no socket path"},
		{"unix://", Bind{}, "no socket path"},
		{"fd://", Bind{}, "want a descriptor number"},
		{"fd://x", Bind{}, "want a descriptor number"},
		{"fd://-1", Bind{}, "want a descriptor number"},
		{"fd://2", Bind{}, "stdin, stdout and stderr"},
		{"127.0.0.1", Bind{}, "not an address"},
		{"", Bind{}, "not an address"},
		{"::1:8080", Bind{}, "put an IPv6 address in brackets"},
		{"[::1]", Bind{}, "not an address"},
		{"[nope:x]:80", Bind{}, "is not an IPv6 address"},
		{"127.0.0.1:70000", Bind{}, `port "70000"`},
		{"127.0.0.1:-1", Bind{}, `port "-1"`},
		{"127.0.0.1:", Bind{}, `port ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBind(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ParseBind(%q) = %v", tt.in, err)
			case tt.wantErr == "" && got != tt.want:
				t.Fatalf("ParseBind(%q) = %+v, want %+v", tt.in, got, tt.want)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("ParseBind(%q) = %+v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			case err != nil && (!strings.Contains(err.Error(), "--bind") || strings.Contains(err.Error(), "\n")):
				t.Fatalf("ParseBind(%q) error %q: want one line naming --bind", tt.in, err)
			}
		})
	}
}

func TestBindFlagsCheck(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		flags Flags
		want  string // "" for valid
	}{
		{"one unix", Flags{Bind: []string{"unix:" + dir + "/s.sock"}}, ""},
		{"several, one process", Flags{Bind: []string{"unix:" + dir + "/s.sock", "127.0.0.1:0", "127.0.0.1:0"}}, ""},
		{"one with workers", Flags{Workers: 2, Bind: []string{"unix:" + dir + "/s.sock"}}, ""},
		{"several with workers", Flags{Workers: 2, Bind: []string{"unix:" + dir + "/s.sock", "127.0.0.1:0"}}, ""},
		{"missing directory", Flags{Bind: []string{"unix:" + dir + "/nope/s.sock"}}, "nope does not exist"},
		{"twice", Flags{Bind: []string{"unix:" + dir + "/s.sock", "unix://" + dir + "/s.sock"}}, "is given twice"},
		{"bad scheme", Flags{Bind: []string{"udp://127.0.0.1:53"}}, `unknown scheme "udp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flags.Check()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Check() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestBindInConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/server.json"
	writeFile(t, path, `{"bind": ["unix:/run/a.sock", "[::1]:8080"]}`)
	f, err := parse(t, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"unix:/run/a.sock", "[::1]:8080"}; !equal(f.Bind, want) {
		t.Errorf("bind from an array = %q, want %q", f.Bind, want)
	}
	writeFile(t, path, `{"bind": "unix:/run/a,b.sock"}`)
	if f, err = parse(t, "--config", path); err != nil {
		t.Fatal(err)
	}
	if want := []string{"unix:/run/a,b.sock"}; !equal(f.Bind, want) {
		t.Errorf("bind from a string = %q, want %q (no splitting at commas)", f.Bind, want)
	}
	if f, err = parse(t, "--config", path, "--bind", "127.0.0.1:1", "--bind", "127.0.0.1:2"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1:1", "127.0.0.1:2"}; !equal(f.Bind, want) {
		t.Errorf("bind with flags too = %q, want the command line's %q", f.Bind, want)
	}
	writeFile(t, path, `{"bind": [8080]}`)
	if _, err := parse(t, "--config", path); err == nil || !strings.Contains(err.Error(), "array of strings") {
		t.Errorf("bind [8080]: %v, want an error about an array of strings", err)
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// shortTempDir is a temporary directory with a short path: a Unix
// socket's path must fit in about 100 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bind")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// unixClient is an http.Client whose every connection goes to the socket
// at path.
func unixClient(path string) *http.Client {
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			},
		},
	}
}

// get GETs url with c and returns the body, failing the test on an error
// or a status other than 200.
func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %q %v", url, resp.Status, body, err)
	}
	return string(body)
}

// serveBinds runs Serve on ln and the binds in one process, and returns
// a function that stops it and waits.
func serveBinds(t *testing.T, ln net.Listener, binds []string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := Options{
		Flags: Flags{Bind: binds, AccessLog: "off"},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello from "+r.URL.Path)
		}),
		Logf: t.Logf,
	}
	go func() { done <- Serve(ctx, ln, o) }()
	var stopped bool
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Serve did not return after its context was cancelled")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop
}

// waitSocket waits until a Unix socket accepts at path.
func waitSocket(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s", path)
}

func TestUnixSocket(t *testing.T) {
	dir := shortTempDir(t)
	path := filepath.Join(dir, "s.sock")
	tcp, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveBinds(t, tcp, []string{"unix:" + path})
	waitSocket(t, path)

	t.Run("served over the socket", func(t *testing.T) {
		if got := get(t, unixClient(path), "http://app/x"); got != "hello from /x" {
			t.Errorf("over the Unix socket: %q", got)
		}
		if got := get(t, http.DefaultClient, "http://"+tcp.Addr().String()+"/y"); got != "hello from /y" {
			t.Errorf("over TCP, the same handler: %q", got)
		}
	})
	t.Run("a live socket is refused", func(t *testing.T) {
		_, err := ListenBinds([]string{"unix:" + path})
		if err == nil || !strings.Contains(err.Error(), "a server is listening on it already") {
			t.Fatalf("ListenBinds on a live socket = %v, want a refusal", err)
		}
		get(t, unixClient(path), "http://app/") // the first server still has it
	})
	t.Run("removed after a clean stop", func(t *testing.T) {
		if err := stop(); err != nil {
			t.Fatalf("Serve = %v, want nil after a clean stop", err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket file after the stop: %v, want it gone", err)
		}
		if c, err := net.Dial("tcp", tcp.Addr().String()); err == nil {
			c.Close()
			t.Errorf("the TCP listener still accepts after the stop")
		}
	})
}

func TestUnixSocketStaleFileReplaced(t *testing.T) {
	dir := shortTempDir(t)
	path := filepath.Join(dir, "s.sock")
	// A socket nobody listens on any more: what a killed server leaves.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("the stale socket file: %v", err)
	}
	stop := serveBinds(t, nil, []string{"unix:" + path})
	waitSocket(t, path)
	if got := get(t, unixClient(path), "http://app/z"); got != "hello from /z" {
		t.Errorf("over the replaced socket: %q", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file after the stop: %v, want it gone", err)
	}
}

func TestUnixSocketNotASocketKept(t *testing.T) {
	path := filepath.Join(shortTempDir(t), "notes.txt")
	writeFile(t, path, "keep me")
	_, err := ListenBinds([]string{"unix:" + path})
	if err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("ListenBinds on a regular file = %v, want a refusal", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "keep me" {
		t.Errorf("the file after: %q, %v", b, err)
	}
}

func TestSeveralBindsServedAndClosed(t *testing.T) {
	dir := shortTempDir(t)
	path := filepath.Join(dir, "s.sock")
	lns, err := ListenBinds([]string{"127.0.0.1:0", "unix:" + path, "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := Options{
		Flags:     Flags{AccessLog: "off", MaxConns: 10},
		Listeners: lns,
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		Logf:      t.Logf,
	}
	go func() { done <- Serve(ctx, nil, o) }()
	for _, ln := range []net.Listener{lns[0], lns[2]} {
		if got := get(t, http.DefaultClient, "http://"+ln.Addr().String()+"/"); got != "ok" {
			t.Errorf("%s: %q", ln.Addr(), got)
		}
	}
	if got := get(t, unixClient(path), "http://app/"); got != "ok" {
		t.Errorf("unix: %q", got)
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	for _, ln := range []net.Listener{lns[0], lns[2]} {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			t.Errorf("%s still accepts after the stop", ln.Addr())
		}
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file after the stop: %v, want it gone", err)
	}
}

func TestRunRefusesBadBinds(t *testing.T) {
	dir := shortTempDir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bind", "udp://127.0.0.1:53"}, `unknown scheme "udp"`},
		{[]string{"--bind", "unix:" + dir + "/nope/s.sock"}, "does not exist"},
		{[]string{"--bind", "127.0.0.1"}, "not an address"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Run(tt.args, http.NotFoundHandler(), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tt.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("Run(%q) = %d, stderr %q; want 2 and one line containing %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}

// fdChildEnv marks the test binary run by TestBindInheritedFD as the
// server: it serves --bind fd://3 until SIGTERM.
const fdChildEnv = "FINAL_TEST_BIND_FD_CHILD"

func TestBindInheritedFDChild(t *testing.T) {
	if os.Getenv(fdChildEnv) != "1" {
		t.Skip("run by TestBindInheritedFD")
	}
	code := Run([]string{"--bind", "fd://3", "--access-log", "off"},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "inherited") }),
		os.Stdout, os.Stderr)
	os.Exit(code)
}

// TestBindInheritedFD: socket activation. A listening socket opened by
// the parent (as systemd would) is passed to the server as descriptor 3,
// and --bind fd://3 serves it: no --host/--port listener is opened.
func TestBindInheritedFD(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestBindInheritedFDChild$")
	cmd.Env = append(os.Environ(), fdChildEnv+"=1")
	cmd.ExtraFiles = []*os.File{f} // fd 3
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()

	// Connections queue in the socket from the start: the first GET waits
	// for the child to accept.
	if got := get(t, &http.Client{Timeout: 10 * time.Second}, "http://"+ln.Addr().String()+"/"); got != "inherited" {
		t.Errorf("GET over the inherited socket: %q", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the server exited with %v after SIGTERM, want 0:\n%s", err, out.String())
		}
		// Wait has copied all the output: the banner names the inherited
		// socket alone.
		if !strings.Contains(out.String(), "listening on http://"+ln.Addr().String()+" (pid") {
			t.Errorf("the server's banner should name the inherited socket alone:\n%s", out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not stop after SIGTERM:\n%s", out.String())
	}
}

func TestBindFDNotOpen(t *testing.T) {
	_, err := ListenBinds([]string{"fd://987"})
	if err == nil || !strings.Contains(err.Error(), "fd://987") || !strings.Contains(err.Error(), "not open") {
		t.Fatalf("ListenBinds(fd://987) = %v, want an error saying it is not open", err)
	}
}
