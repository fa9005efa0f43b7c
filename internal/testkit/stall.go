package testkit

import (
	"net"
	"sync"
	"testing"
)

// StallingBackend listens on 127.0.0.1, accepts connections and never
// answers them: what a handler calls out to while its own client goes
// away. accepted receives a value per accepted connection (up to 16
// waiting); the listener and every connection close when the test ends.
func StallingBackend(tb testing.TB) (addr string, accepted <-chan struct{}) {
	tb.Helper()
	ln := Listen(tb)
	ch := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), ch
}
