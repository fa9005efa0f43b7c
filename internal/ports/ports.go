// Package ports finds a free TCP port for a server a tool is about to
// start on loopback.
package ports

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// The range Free picks from: below Linux's default ephemeral range
// (32768-60999, net.ipv4.ip_local_port_range) and above the well-known
// ports most machines run something on. The kernel gives ports from the
// ephemeral range to outgoing connections, so a port taken from it and
// released for a server to bind can meanwhile become the local end of
// some other connection on the machine, or of the readiness probe's own
// (a socket connected to itself): checks running in parallel then fail
// with resets and refusals that have nothing to do with the server.
const (
	low  = 20000
	high = 32768
)

// tries bounds the search.
const tries = 100

// handedOut holds the ports Free has returned in this process. A port is
// handed out once per process: tests run in parallel, and the moment
// between one test's Free and its server's bind is the moment another
// test's Free would find the port unbound and hand it out again. Two
// servers would then race for it, and the loser's readiness probe would
// connect to the winner: the loser's checks then talk to another test's
// server. (That happened: a script read a reset from a server it did not
// start.) The range holds 12,768 ports; a test process uses a few
// hundred at most.
var handedOut struct {
	mu    sync.Mutex
	ports map[int]bool
}

// claim reports whether port is this caller's: not handed out in this
// process before, and not reserved by another process.
func claim(port int) bool {
	handedOut.mu.Lock()
	defer handedOut.mu.Unlock()
	if handedOut.ports[port] || !reserve(port) {
		return false
	}
	if handedOut.ports == nil {
		handedOut.ports = make(map[int]bool)
	}
	handedOut.ports[port] = true
	return true
}

// Free returns a port in [20000, 32768) on which nothing listens on host
// right now, that this process has not returned before, and that no other
// process using this package on the machine has been given (see reserve).
// Another program may still take it before the caller's server binds it;
// the caller retries when its server reports the port in use.
func Free(host string) (int, error) {
	var lastErr error
	for range tries {
		port := low + rand.IntN(high-low)
		if !claim(port) {
			lastErr = fmt.Errorf("port %d: handed out already, by this process or another", port)
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			lastErr = err
			continue
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port in %d-%d after %d tries: %w", low, high-1, tries, lastErr)
}
