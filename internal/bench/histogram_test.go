package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactRange returns the smallest and largest sample that can be the p-th
// percentile of sorted: its rank is p/100*n, which the nearest-rank
// definition rounds up and HdrHistogram rounds to the nearest (floating
// point deciding ties), so the percentile read from a Histogram may be
// either. p <= 0 is the smallest sample.
func exactRange(sorted []time.Duration, p float64) (lo, hi time.Duration) {
	if p <= 0 {
		return sorted[0], sorted[0]
	}
	r := p / 100 * float64(len(sorted))
	at := func(rank float64) time.Duration {
		return sorted[min(max(int(rank), 1), len(sorted))-1]
	}
	return at(math.Floor(r)), at(math.Ceil(r))
}

// withinError reports whether got is one of the samples in [lo, hi] as
// the histogram reports it: never below, and above by at most
// RelativeError.
func withinError(got, lo, hi time.Duration) bool {
	return got >= lo && float64(got) <= float64(hi)*(1+RelativeError)
}

func TestHistogramPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		gen  func() time.Duration
		n    int
	}{
		{"constant", func() time.Duration { return 1234567 * time.Nanosecond }, 1000},
		{"tiny exact values", func() time.Duration { return time.Duration(rng.IntN(256)) }, 5000},
		{"uniform 0-10ms", func() time.Duration { return time.Duration(rng.Int64N(int64(10 * time.Millisecond))) }, 20000},
		{"exponential mean 1ms", func() time.Duration { return time.Duration(rng.ExpFloat64() * float64(time.Millisecond)) }, 20000},
		{"log-uniform 100ns-100s", func() time.Duration {
			return time.Duration(100 * math.Pow(10, rng.Float64()*9))
		}, 20000},
		{"a slow tail", func() time.Duration {
			if rng.IntN(100) == 0 {
				return time.Duration(rng.Int64N(int64(time.Second)))
			}
			return time.Duration(rng.Int64N(int64(time.Millisecond)))
		}, 10000},
		{"one sample", func() time.Duration { return 42 * time.Microsecond }, 1},
	}
	percentiles := []float64{0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistogram()
			samples := make([]time.Duration, tt.n)
			var sum time.Duration
			for i := range samples {
				samples[i] = tt.gen()
				sum += samples[i]
				h.Record(samples[i])
			}
			slices.Sort(samples)
			for _, p := range percentiles {
				got := h.Percentile(p)
				lo, hi := exactRange(samples, p)
				if !withinError(got, lo, hi) {
					t.Errorf("Percentile(%v) = %v, want %v to %v, at most %.2f%% above", p, got, lo, hi, RelativeError*100)
				}
			}
			if h.Count() != uint64(tt.n) {
				t.Errorf("Count() = %d, want %d", h.Count(), tt.n)
			}
			if h.Min() != samples[0] || h.Max() != samples[len(samples)-1] {
				t.Errorf("Min(), Max() = %v, %v, want %v, %v", h.Min(), h.Max(), samples[0], samples[len(samples)-1])
			}
			if want := sum / time.Duration(tt.n); h.Mean() != want {
				t.Errorf("Mean() = %v, want %v", h.Mean(), want)
			}
		})
	}
}

// TestHistogramPrecision records values across the whole range, each
// between a smaller and a larger one so that the median is neither Min
// nor Max, and checks that it reads back within RelativeError above.
func TestHistogramPrecision(t *testing.T) {
	h := NewHistogram()
	above := 0
	for v := time.Duration(1); v < MaxLatency; v = v*9/8 + 1 {
		h.Reset()
		for _, d := range []time.Duration{0, v, v, MaxLatency} {
			h.Record(d)
		}
		got := h.Percentile(50)
		if !withinError(got, v, v) {
			t.Fatalf("values 0, %d, %d, MaxLatency: Percentile(50) = %d, want %d, at most %.2f%% above", v, v, got, v, RelativeError*100)
		}
		if got > v {
			above++
		}
	}
	if above == 0 {
		t.Errorf("every median was exact: the histogram was not tested, its percentiles are clamped")
	}
	// One per connection, up to MaxConnections of them: a histogram must
	// stay small.
	if n := h.hdr.ByteSize(); n > 40<<10 {
		t.Errorf("a histogram takes %d bytes, want at most 40 KiB", n)
	}
}

func TestHistogramEmpty(t *testing.T) {
	h := NewHistogram()
	for _, p := range []float64{0, 50, 99, 100} {
		if got := h.Percentile(p); got != 0 {
			t.Errorf("empty Percentile(%v) = %v, want 0", p, got)
		}
	}
	if h.Count() != 0 || h.Min() != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Errorf("empty histogram: Count %d Min %v Max %v Mean %v, want all zero", h.Count(), h.Min(), h.Max(), h.Mean())
	}
	// Merging an empty histogram changes nothing, and merging into an
	// empty one copies.
	a := NewHistogram()
	a.Record(time.Millisecond)
	a.Merge(NewHistogram())
	if a.Count() != 1 || a.Min() != time.Millisecond {
		t.Errorf("after merging an empty histogram: Count %d Min %v, want 1 1ms", a.Count(), a.Min())
	}
	h.Merge(a)
	if h.Count() != 1 || h.Min() != time.Millisecond || h.Max() != time.Millisecond {
		t.Errorf("merged into empty: Count %d Min %v Max %v, want 1 1ms 1ms", h.Count(), h.Min(), h.Max())
	}
}

func TestHistogramMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	all := NewHistogram()
	parts := make([]*Histogram, 5)
	for i := range parts {
		parts[i] = NewHistogram()
		// Each part has its own range, as connections to a server that
		// slows down would.
		for range 1000 {
			d := time.Duration(rng.Int64N(int64(time.Millisecond))) * time.Duration(i+1)
			parts[i].Record(d)
			all.Record(d)
		}
	}
	merged := NewHistogram()
	for _, p := range parts {
		merged.Merge(p)
	}
	if merged.Count() != all.Count() || merged.Min() != all.Min() || merged.Max() != all.Max() || merged.Mean() != all.Mean() {
		t.Errorf("merged Count/Min/Max/Mean = %d %v %v %v, want %d %v %v %v",
			merged.Count(), merged.Min(), merged.Max(), merged.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
	for _, p := range []float64{1, 50, 90, 99, 99.9} {
		if got, want := merged.Percentile(p), all.Percentile(p); got != want {
			t.Errorf("merged Percentile(%v) = %v, want %v (as if recorded in one)", p, got, want)
		}
	}
	merged.Reset()
	if merged.Count() != 0 || merged.Percentile(50) != 0 {
		t.Errorf("after Reset: Count %d p50 %v, want 0 0", merged.Count(), merged.Percentile(50))
	}
}

func TestHistogramOutOfRange(t *testing.T) {
	h := NewHistogram()
	h.Record(-time.Second)
	h.Record(time.Hour)
	if h.Min() != 0 {
		t.Errorf("Min() after a negative sample = %v, want 0", h.Min())
	}
	if h.Max() != time.Hour {
		t.Errorf("Max() = %v, want 1h exactly, beyond MaxLatency", h.Max())
	}
	if got := h.Percentile(99); got < MaxLatency-MaxLatency/128 || got > time.Hour {
		t.Errorf("Percentile(99) = %v, want the top bucket, near MaxLatency %v", got, MaxLatency)
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	h := NewHistogram()
	allocs := testing.AllocsPerRun(1000, func() { h.Record(1234 * time.Microsecond) })
	if allocs != 0 {
		t.Errorf("Record allocates %v times, want 0", allocs)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := NewHistogram()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i&0xfffff) * time.Microsecond)
	}
}

func ExampleHistogram() {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	fmt.Println("p50", h.Percentile(50))
	fmt.Println("p99", h.Percentile(99))
	fmt.Println("max", h.Max())
	// Output:
	// p50 501.759µs
	// p99 991.231µs
	// max 1ms
}
