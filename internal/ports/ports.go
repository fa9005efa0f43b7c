// Package ports finds a free TCP port for a server a tool is about to
// start on loopback.
package ports

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
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

// Free returns a port in [20000, 32768) on which nothing listens on host
// right now, and that no other process using this package on the machine
// has been given (see reserve). Another program may still take it before
// the caller's server binds it; the caller retries when its server
// reports the port in use.
func Free(host string) (int, error) {
	var lastErr error
	for range tries {
		port := low + rand.IntN(high-low)
		if !reserve(port) {
			lastErr = fmt.Errorf("port %d: reserved by another process", port)
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
