package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactPercentile is the nearest-rank percentile of sorted samples, the
// definition Histogram.Percentile approximates.
func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	if p <= 0 {
		return sorted[0]
	}
	return sorted[nearestRank(p, uint64(len(sorted)))-1]
}

// withinError reports whether got is within RelativeError of want.
func withinError(got, want time.Duration) bool {
	diff := got - want
	if diff < 0 {
		diff = -diff
	}
	return float64(diff) <= float64(want)*RelativeError
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
				got, want := h.Percentile(p), exactPercentile(samples, p)
				if !withinError(got, want) {
					t.Errorf("Percentile(%v) = %v, want %v within %.2f%%", p, got, want, RelativeError*100)
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

// TestBucketsRoundTrip checks that every bucket's bounds map back to it,
// that buckets tile the range without gaps, and that a bucket is never
// wider than 1/subBucketCount of its lowest value: the source of
// RelativeError.
func TestBucketsRoundTrip(t *testing.T) {
	var next uint64
	for i := range numBuckets {
		lo, width := bucketBounds(i)
		if lo != next {
			t.Fatalf("bucketBounds(%d) starts at %d, want %d (no gap, no overlap)", i, lo, next)
		}
		if got := bucketIndex(lo); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", lo, got, i)
		}
		if got := bucketIndex(lo + width - 1); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", lo+width-1, got, i)
		}
		if width > 1 && width*subBucketCount > lo {
			t.Fatalf("bucket %d: width %d is more than 1/%d of %d", i, width, subBucketCount, lo)
		}
		next = lo + width
	}
	if next != uint64(MaxLatency)+1 {
		t.Errorf("buckets end at %d, want %d", next, uint64(MaxLatency)+1)
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
	// p50 500.736µs
	// p99 989.184µs
	// max 1ms
}
