package harness

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
)

// echoCheck opens conns connections at once; each sends size random bytes
// while reading them back, and compares. No connection closes before every
// one has its echo, so a server that serves one connection at a time
// cannot pass by finishing them in turn. With halfClose each connection
// shuts its write side after sending and expects the server to close right
// after the last echoed byte.
func echoCheck(addr string, conns, size int, halfClose bool) error {
	errs := make([]error, conns)
	var wg, echoed sync.WaitGroup
	echoed.Add(conns)
	for i := range conns {
		wg.Go(func() { errs[i] = echoOne(addr, i, size, halfClose, &echoed) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("connection %d of %d: %w", i+1, conns, err)
		}
	}
	return nil
}

func echoOne(addr string, seed, size int, halfClose bool, echoed *sync.WaitGroup) error {
	var once sync.Once
	done := func() { once.Do(echoed.Done) }
	defer done()
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer func() {
		// Hold the connection open until every connection has its echo (or
		// has failed): only then may any of them close.
		done()
		echoed.Wait()
		c.Close()
	}()
	payload := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(size)})
	_, _ = rng.Read(payload) // ChaCha8.Read never fails

	// Write in a goroutine while reading: a streaming server echoes while
	// we send, and a client that only wrote would deadlock against it once
	// both socket buffers are full.
	writeErr := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil && halfClose {
			err = c.CloseWrite()
		}
		writeErr <- err
	}()

	c.deadline()
	var got []byte
	if halfClose {
		got, err = io.ReadAll(c.br)
	} else {
		got = make([]byte, size)
		var n int
		n, err = io.ReadFull(c.br, got)
		got = got[:n]
	}
	if err != nil {
		return fmt.Errorf("read %d of %d bytes back: %w", len(got), size, readErr(err))
	}
	if werr := <-writeErr; werr != nil {
		return fmt.Errorf("send: %w", werr)
	}
	if !bytes.Equal(got, payload) {
		i := 0
		for i < len(got) && i < len(payload) && got[i] == payload[i] {
			i++
		}
		return fmt.Errorf("got %d bytes back, want %d; first difference at byte %d", len(got), size, i)
	}
	return nil
}
