//go:build linux || darwin

package ports

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// childPortEnv names the port a child test process tries to reserve.
const childPortEnv = "PORTS_TEST_RESERVE"

// TestMain lets the test binary play the other process: with
// childPortEnv set, it tries to reserve that port and exits 0 if it got
// it, 3 if another process holds it.
func TestMain(m *testing.M) {
	if p := os.Getenv(childPortEnv); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			os.Exit(2)
		}
		if reserve(port) {
			os.Exit(0)
		}
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// TestReserveExcludesOtherProcesses: a port this process reserved is
// refused to another process, whatever its TMPDIR, and never handed out
// twice in this one.
func TestReserveExcludesOtherProcesses(t *testing.T) {
	port, err := Free("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if claim(port) {
		t.Fatalf("claim(%d) of a port Free returned = true, want false: two tests would share it", port)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// With a TMPDIR of its own, as a `learn check` run by a testscript has.
	cmd.Env = append(os.Environ(), childPortEnv+"="+strconv.Itoa(port), "TMPDIR="+t.TempDir())
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Errorf("another process reserving port %d: %v, want exit status 3 (refused)", port, err)
	}

}
