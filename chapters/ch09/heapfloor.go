package ch09

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// minHeapGoal is the Go runtime's smallest heap goal at GOGC=100: the
// collector scales it with the GC percent (4 MiB at 100, 32 MiB at 800).
// It is a constant of the runtime's pacer (defaultHeapMinimum in
// runtime/mgcpacer.go), not an API; TestHeapFloorSetsTheGoal reads the
// goal the runtime really sets, and would fail if it changed.
const minHeapGoal = 4 << 20 // 4 MiB

// DefaultHeapFloor is the heap floor chapter 9's stage and final run
// with: at GOGC=100, the goal a live heap of 16 MiB would give. A server
// holding that much live (thousands of connections) is paced by GOGC
// alone.
const DefaultHeapFloor = 32 << 20 // 32 MiB

// liveHeapMetric is the heap the last collection found reachable.
const liveHeapMetric = "/gc/heap/live:bytes"

// HeapFloor keeps the garbage collector from running before the heap
// has grown to a floor, whatever the GC percent (GOGC) would say. A
// server's live heap is small (a few MiB) while it allocates garbage fast
// (a request or two per microsecond of CPU), so at GOGC=100 the collector
// runs at the runtime's 4 MiB minimum, dozens of times a second, and
// every run costs the same fixed work (stacks, globals, the mark
// workers' start and stop) however little it frees. A floor of a few tens
// of MiB makes each collection free more, for the price of that much
// memory; once the live heap is large enough that GOGC asks for more
// than the floor, the floor does nothing.
//
// It works by setting the GC percent after every collection (the way
// debug.SetGCPercent does, so GOGC and GOMEMLIMIT keep their meaning):
// never below the percent in force when it started, and high enough
// that the next goal is the floor.
type HeapFloor struct {
	floor uint64
	base  int // the GC percent in force before: GOGC's, 100 by default

	mu      sync.Mutex
	stopped bool
	percent int // the GC percent last set
	sample  []metrics.Sample
}

// StartHeapFloor starts keeping the heap goal at floor bytes or more, for
// the whole process, until Stop. It returns nil, and changes nothing,
// when floor is not positive or the collector is off (GOGC=off). Only
// one HeapFloor should run at a time: two would overwrite each other's
// percent.
func StartHeapFloor(floor int64) *HeapFloor {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if floor <= 0 || base < 0 {
		return nil
	}
	h := &HeapFloor{
		floor:   uint64(floor),
		base:    base,
		percent: base,
		sample:  []metrics.Sample{{Name: liveHeapMetric}},
	}
	h.adjust()
	h.arm()
	return h
}

// Stop stops adjusting the GC percent and puts back the one in force
// before Start. A nil HeapFloor's Stop does nothing.
func (h *HeapFloor) Stop() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	debug.SetGCPercent(h.base)
}

// gcSignal is the object whose end tells the HeapFloor that a collection
// ran. It is not tiny (16 bytes or more), since objects the runtime packs
// together may never be reported unreachable.
type gcSignal [32]byte

// arm allocates a gcSignal and asks to be called once it is unreachable,
// which it is as soon as it is allocated: the next collection finds it
// and runs the cleanup, which adjusts the percent and arms again.
func (h *HeapFloor) arm() {
	runtime.AddCleanup(new(gcSignal), func(h *HeapFloor) {
		if h.adjust() {
			h.arm()
		}
	}, h)
}

// adjust sets the GC percent for the live heap the last collection
// found, and reports whether the HeapFloor still runs.
func (h *HeapFloor) adjust() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return false
	}
	metrics.Read(h.sample)
	live := uint64(0)
	if h.sample[0].Value.Kind() == metrics.KindUint64 {
		live = h.sample[0].Value.Uint64()
	}
	if p := floorPercent(h.floor, live, h.base); p != h.percent {
		h.percent = p
		debug.SetGCPercent(p)
	}
	return true
}

// floorPercent returns the GC percent that makes the next heap goal the
// floor, for a live heap of live bytes, and never less than base. The
// runtime's goal is the larger of two terms that both grow with the
// percent p: its minimum heap, minHeapGoal·p/100, and the live heap
// plus its share, live·(1+p/100). The smallest p that lifts either term
// to the floor makes the goal the floor.
func floorPercent(floor, live uint64, base int) int {
	p := float64(floor) / minHeapGoal * 100
	if live > 0 {
		p = math.Min(p, (float64(floor)/float64(live)-1)*100)
	}
	return max(base, int(math.Ceil(p)))
}
