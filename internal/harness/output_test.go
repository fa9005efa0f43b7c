package harness

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// roleEnv makes the test binary play a server for TestOutputOfASuccessor:
// "parent" listens and, on SIGTERM, starts a "successor" and exits; the
// successor writes a line well after its parent has exited.
const roleEnv = "HARNESS_TEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "parent":
		os.Exit(parentServer())
	case "successor":
		time.Sleep(2*OutputGrace + 500*time.Millisecond) // past any wait for the parent's output
		if _, err := fmt.Println("successor alive"); err != nil {
			os.Exit(3) // the pipe was closed under it (EPIPE)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// parentServer listens on --port and, on SIGTERM, starts its successor
// with its own standard output, as a binary upgrade does, and exits 0.
func parentServer() int {
	fs := flag.NewFlagSet("parent", flag.ContinueOnError)
	host, port := fs.String("host", "", ""), fs.Int("port", 0, "")
	if fs.Parse(os.Args[1:]) != nil {
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		return 1
	}
	go func() {
		for c, err := ln.Accept(); err == nil; c, err = ln.Accept() {
			c.Close() // the readiness probe: nothing to serve
		}
	}()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	<-term
	successor := exec.Command(os.Args[0])
	successor.Env = append(os.Environ(), roleEnv+"=successor")
	successor.Stdout, successor.Stderr = os.Stdout, os.Stderr
	if successor.Start() != nil {
		return 1
	}
	return 0
}

// A process that outlives the server it came from (the new server of a
// binary upgrade) goes on writing to the output the check reads, and
// what it writes is shown: the harness keeps the pipe open for it rather
// than closing it once the server has exited, which made its writes fail.
func TestOutputOfASuccessor(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "successor.txtar")
	err := os.WriteFile(script, []byte("start\nsignal TERM\nwaitexit\nwaitlog 'successor alive'\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p := Params(Target{Command: []string{os.Args[0]}}, []string{script})
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		env.Vars = append(env.Vars, roleEnv+"=parent")
		return setup(env)
	}
	testscript.Run(t, p)
}

// A server that exits unasked (here, before it ever listens) is reported
// with its status, the rule it broke if the readiness probe killed it,
// and what it printed.
func TestReportOfAServerThatExited(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(nil, []string{"/bin/sh", "-c", "echo dying; exit 3"}, os.Environ(), t.TempDir(), port)
	if srv == nil || err == nil {
		t.Fatalf("startServer of a command that exits = %v, %v; want the server and an error", srv, err)
	}
	got := serverReport(srv)
	for _, want := range []string{"server: exited (exit status 3), unasked. " + diedNote, "| dying"} {
		if !strings.Contains(got, want) {
			t.Errorf("report:\n%s\nwant it to hold %q", got, want)
		}
	}
}
