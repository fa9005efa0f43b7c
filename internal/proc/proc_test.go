package proc

import (
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if n, err := RSS(os.Getpid()); err != nil || n <= 0 {
		t.Errorf("RSS(self) = %d, %v, want a positive size", n, err)
	}
	if soft, hard, err := OpenFileLimits(os.Getpid()); err != nil || soft == 0 || hard < soft {
		t.Errorf("OpenFileLimits(self) = %d, %d, %v", soft, hard, err)
	}
	if !Descendant(os.Getpid(), os.Getppid()) {
		t.Errorf("Descendant(self, parent) = false")
	}
	if Descendant(os.Getppid(), os.Getpid()) {
		t.Errorf("Descendant(parent, self) = true")
	}
	if !Alive(os.Getpid()) {
		t.Errorf("Alive(self) = false")
	}
	pgid, err := syscall.Getpgid(0)
	if err != nil {
		t.Fatal(err)
	}
	before, err := GroupCPU(pgid)
	if err != nil {
		t.Fatalf("GroupCPU(own group) = %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		// Spin until the kernel's tick accounting sees it: 10 ms a tick.
		if after, _ := GroupCPU(pgid); after > before {
			return
		}
	}
	t.Errorf("GroupCPU(own group) did not grow over 5 s of spinning")
}

func TestRaiseFileLimit(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the limit on open files is not raised on " + runtime.GOOS)
	}
	if err := RaiseFileLimit(1 << 62); err == nil {
		t.Errorf("RaiseFileLimit(more than any hard limit) = nil, want an error")
	}
	if err := RaiseFileLimit(10); err != nil {
		t.Errorf("RaiseFileLimit(10) = %v, want nil", err)
	}
}

func TestGroupListensOnThisMachine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	pgid, err := syscall.Getpgid(0)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := GroupListens(pgid, port); !ok || err != nil {
		t.Errorf("GroupListens(own group, own listener's port) = %v, %v; want true", ok, err)
	}
	if ok, err := GroupListens(pgid+1_000_000, port); ok || err != nil {
		t.Errorf("GroupListens(no such group, own listener's port) = %v, %v; want false, nil", ok, err)
	}
}
