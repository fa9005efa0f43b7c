//go:build linux

package ch01

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fdLimitEnv makes the test binary an echo server whose process may open
// only a few file descriptors, so accept fails with EMFILE under load.
const fdLimitEnv = "CH01_TEST_FD_LIMIT_SERVER"

// lowFDLimit is the server process's file limit in that mode: stdin,
// stdout, stderr, the listener and the runtime's few descriptors leave
// room for only a handful of connections.
const lowFDLimit = 24

// init turns the test binary into the low-limit server when the test
// starts it so; it runs before TestMain, which belongs to the scripts.
func init() {
	if os.Getenv(fdLimitEnv) == "1" {
		os.Exit(lowFDServer())
	}
}

// lowFDServer serves echo on a free port with RLIMIT_NOFILE lowered, prints
// "listening ADDR", and logs accept errors to stdout.
func lowFDServer() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	lim := syscall.Rlimit{Cur: lowFDLimit, Max: lowFDLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("listening", ln.Addr())
	s := &Server{Logf: func(f string, a ...any) { fmt.Printf(f+"\n", a...) }}
	s.Serve(ln)
	return 0
}

// TestAcceptRecoversFromFileExhaustion runs out the server's file
// descriptors with idle connections: accept fails with EMFILE, the loop
// backs off instead of spinning or dying, and once the clients hang up the
// server echoes again.
func TestAcceptRecoversFromFileExhaustion(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fdLimitEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "listening ") {
		t.Fatalf("server did not start: %q", lines.Text())
	}
	addr := strings.TrimPrefix(lines.Text(), "listening ")
	logged := make(chan string, 1000)
	go func() {
		for lines.Scan() {
			select {
			case logged <- lines.Text():
			default:
			}
		}
	}()

	// Hold more connections open than the server has descriptors. The
	// kernel completes the handshakes (the accept queue), so the dials
	// succeed; the server's accept is what fails.
	var held []net.Conn
	for range 2 * lowFDLimit {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		held = append(held, c)
	}
	select {
	case line := <-logged:
		if !strings.Contains(line, "too many open files") || !strings.Contains(line, "retrying in") {
			t.Errorf("logged %q, want an EMFILE accept error with its backoff", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server never reported running out of file descriptors")
	}

	for _, c := range held {
		c.Close()
	}
	// The server recovers: a new client is echoed once descriptors free up.
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	io.WriteString(c, "back\n")
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "back\n" {
		t.Fatalf("after recovery: read %q, %v; want the echo", got, err)
	}
	if cmd.ProcessState != nil {
		t.Fatal("the server exited")
	}
}
