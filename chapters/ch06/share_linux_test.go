package ch06

import (
	"net"
	"syscall"
	"testing"
)

// nonBlocking reports whether ln's socket has O_NONBLOCK set: a flag of
// the socket itself, shared by every descriptor of it in every process.
func nonBlocking(t *testing.T, ln *net.TCPListener) bool {
	t.Helper()
	rc, err := ln.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags uintptr
	var errno syscall.Errno
	rc.Control(func(fd uintptr) {
		flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	})
	if errno != 0 {
		t.Fatal(errno)
	}
	return flags&syscall.O_NONBLOCK != 0
}

// Handing the listener to a worker (os/exec calls Fd on ExtraFiles) must
// leave the socket non-blocking: the running workers share it, and an
// accept in blocking mode is one that closing the listener cannot stop.
func TestShareableKeepsSocketNonBlocking(t *testing.T) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	f, err := shareable(ln)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Fd() // what os/exec does with each of ExtraFiles
	if !nonBlocking(t, ln) {
		t.Fatal("the listener's socket is in blocking mode after Fd on the shared file")
	}

	// The reason shareable exists: net's own File does switch it.
	nf, err := ln.File()
	if err != nil {
		t.Fatal(err)
	}
	defer nf.Close()
	nf.Fd()
	if nonBlocking(t, ln) {
		t.Log("net's File().Fd() no longer switches the socket to blocking mode; shareable may be simplified")
	}
}
