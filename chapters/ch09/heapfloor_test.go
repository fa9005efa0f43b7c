package ch09

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestFloorPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name        string
		floor, live uint64
		base, want  int
	}{
		{"small live heap: the minimum heap sets the goal", 32 * mib, 1 * mib, 100, 800},
		{"no live heap yet", 32 * mib, 0, 100, 800},
		{"live heap near the floor", 32 * mib, 20 * mib, 100, 100},
		{"live heap half the floor", 64 * mib, 16 * mib, 100, 300},
		{"live heap over the floor: GOGC rules", 32 * mib, 100 * mib, 100, 100},
		{"a higher GOGC is kept", 32 * mib, 1 * mib, 1000, 1000},
		{"a floor under the minimum heap", 2 * mib, 1 * mib, 100, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := floorPercent(tc.floor, tc.live, tc.base); got != tc.want {
				t.Errorf("floorPercent(%d MiB, %d MiB, %d) = %d, want %d",
					tc.floor/mib, tc.live/mib, tc.base, got, tc.want)
			}
		})
	}
}

// readMetric returns a uint64 runtime metric.
func readMetric(t *testing.T, name string) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		t.Fatalf("metric %s is not supported", name)
	}
	return s[0].Value.Uint64()
}

// collectUntil runs collections until ok holds for the GC percent (the
// HeapFloor adjusts it after a collection, on the cleanup goroutine), for
// at most ten seconds.
func collectUntil(t *testing.T, what string, ok func(percent uint64) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(readMetric(t, "/gc/gogc:percent")) {
		if time.Now().After(deadline) {
			t.Fatalf("GC percent %d after 10 s of collections, want %s", readMetric(t, "/gc/gogc:percent"), what)
		}
		runtime.GC()
		runtime.Gosched()
	}
}

// TestHeapFloorSetsTheGoal checks the floor against the goal the runtime
// really computes, so a change in the runtime's pacer (minHeapGoal) fails
// here; that the percent follows the live heap from one collection to
// the next; and that Stop puts the GC percent back.
func TestHeapFloorSetsTheGoal(t *testing.T) {
	base := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(base) })
	const floor = 128 << 20
	h := StartHeapFloor(floor)
	t.Cleanup(h.Stop)
	collectUntil(t, "the minimum heap's 3200", func(p uint64) bool { return p == floor/minHeapGoal*100 })
	goal := readMetric(t, "/gc/heap/goal:bytes")
	if goal < floor*95/100 || goal > floor*13/10 {
		t.Errorf("heap goal %d MiB with a %d MiB floor (GC percent %d)",
			goal>>20, floor>>20, readMetric(t, "/gc/gogc:percent"))
	}

	// A live heap of a quarter of the floor: the percent falls to about
	// 300, and the goal stays the floor.
	live := make([]byte, floor/4)
	collectUntil(t, "about 300", func(p uint64) bool { return p >= 250 && p <= 300 })
	if goal := readMetric(t, "/gc/heap/goal:bytes"); goal < floor*95/100 || goal > floor*13/10 {
		t.Errorf("heap goal %d MiB with a %d MiB floor and %d MiB live", goal>>20, floor>>20, len(live)>>20)
	}
	runtime.KeepAlive(live)

	h.Stop()
	collectUntil(t, "100", func(p uint64) bool { return p == 100 })
}

func TestStartHeapFloorOff(t *testing.T) {
	base := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(base) })
	if h := StartHeapFloor(0); h != nil {
		h.Stop()
		t.Error("StartHeapFloor(0) started a HeapFloor")
	}
	debug.SetGCPercent(-1) // GOGC=off: nothing to raise
	if h := StartHeapFloor(32 << 20); h != nil {
		h.Stop()
		t.Error("StartHeapFloor with GOGC=off started a HeapFloor")
	}
	if p := debug.SetGCPercent(100); p != -1 {
		t.Errorf("GC percent %d, want GOGC=off (-1) left alone", p)
	}
}
