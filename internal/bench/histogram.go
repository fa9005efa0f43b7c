package bench

import (
	"math/bits"
	"time"
)

// The histogram's shape. A value below 2*subBucketCount nanoseconds has a
// bucket of its own; above that, every power of two [2^k, 2^(k+1)) is cut
// into subBucketCount equal buckets, so a bucket is never wider than
// 1/subBucketCount of the values in it. This is the log-linear layout of
// HdrHistogram, reduced to what a load generator needs.
const (
	// subBucketBits sets the precision: 2^7 = 128 buckets per power of two.
	subBucketBits  = 7
	subBucketCount = 1 << subBucketBits

	// maxLatencyBits is the bit length of MaxLatency.
	maxLatencyBits = 40

	// MaxLatency is the largest latency the histogram tells apart, about
	// 18 minutes. A longer one is counted in the top bucket; Max still
	// reports it exactly.
	MaxLatency = time.Duration(1<<maxLatencyBits - 1)

	// numBuckets covers 0 to MaxLatency: 2*subBucketCount exact buckets,
	// then subBucketCount for each power of two above them.
	numBuckets = (maxLatencyBits - subBucketBits + 1) * subBucketCount
)

// RelativeError bounds how far a percentile read from a Histogram can be
// from the exact percentile of the recorded samples: 1/256 of it (0.39%).
// A bucket holding values near v is at most v/128 wide and a percentile is
// reported as its bucket's midpoint, so it is off by at most half that.
// Below 256 ns buckets are 1 ns wide and percentiles exact.
const RelativeError = 1.0 / 256

// Histogram counts latencies in log-linear buckets: fixed memory (about
// 34 KiB) however many samples it holds, recording in constant time
// without allocating, and mergeable, so each connection keeps its own and
// the run adds them up at the end. The zero value is not usable; call
// NewHistogram. A Histogram is not safe for concurrent use.
type Histogram struct {
	counts   []uint64
	total    uint64
	sum      time.Duration // for the mean; 2^63 ns is 292 years of samples
	min, max time.Duration
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]uint64, numBuckets)}
}

// bucketIndex maps a value in nanoseconds to its bucket. Values below
// 2*subBucketCount map to themselves. Above, the value's top
// subBucketBits+1 bits (its mantissa, in [128, 256)) pick the bucket within
// its power of two, and shift, the number of low bits dropped, picks the
// power of two: each step of shift moves subBucketCount buckets on.
func bucketIndex(v uint64) int {
	if v < 2*subBucketCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBucketBits - 1
	return shift*subBucketCount + int(v>>shift)
}

// bucketBounds returns the lowest value of bucket i and its width: the
// inverse of bucketIndex.
func bucketBounds(i int) (lo, width uint64) {
	if i < 2*subBucketCount {
		return uint64(i), 1
	}
	shift := i/subBucketCount - 1
	mantissa := uint64(i - shift*subBucketCount)
	return mantissa << shift, 1 << shift
}

// Record adds one latency. Negative durations count as zero; durations
// above MaxLatency land in the top bucket.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	v := d
	if v > MaxLatency {
		v = MaxLatency
	}
	h.counts[bucketIndex(uint64(v))]++
	if h.total == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.total++
	h.sum += d
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.total += o.total
	h.sum += o.sum
}

// Reset empties h, keeping its memory.
func (h *Histogram) Reset() {
	clear(h.counts)
	h.total, h.sum, h.min, h.max = 0, 0, 0, 0
}

// Count returns the number of samples.
func (h *Histogram) Count() uint64 { return h.total }

// Min returns the smallest sample, exactly; zero when empty.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest sample, exactly; zero when empty.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average sample, exactly; zero when empty.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.sum / time.Duration(h.total)
}

// Percentile returns the p-th percentile (0 < p <= 100) by nearest rank:
// the smallest sample that at least p percent of the samples are at or
// below, within RelativeError of it. It returns zero when h is empty;
// p <= 0 gives Min and p >= 100 gives Max, both exact.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	if p <= 0 {
		return h.min
	}
	if p >= 100 {
		return h.max
	}
	rank := nearestRank(p, h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, width := bucketBounds(i)
			v := time.Duration(lo + width/2)
			return max(h.min, min(v, h.max))
		}
	}
	return h.max // unreachable: the counts add up to total
}

// nearestRank returns the 1-based rank of the p-th percentile among n
// samples: ceil(p/100 * n), at least 1.
func nearestRank(p float64, n uint64) uint64 {
	r := uint64(p / 100 * float64(n))
	if float64(r) < p/100*float64(n) {
		r++
	}
	return max(r, 1)
}
