package ch07

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// The first SIGTERM cancels the context, the second closes force.
func TestStopSignals(t *testing.T) {
	ctx, force, stop := StopSignals(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not cancelled by SIGTERM")
	}
	if isClosed(force) {
		t.Fatal("force closed after one signal")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-force:
	case <-time.After(10 * time.Second):
		t.Fatal("force was not closed by a second signal")
	}
}
