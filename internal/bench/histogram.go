package bench

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

const (
	// MaxLatency is the largest latency the histogram tells apart, about
	// 18 minutes. A longer one is counted as MaxLatency; Max still
	// reports it exactly.
	MaxLatency = time.Duration(1<<40 - 1)

	// significantDigits is the precision asked of HdrHistogram: with 2
	// decimal digits it keeps 256 buckets for values below 256 ns, then
	// cuts every power of two above into 128, so a bucket is never wider
	// than 1/128 of the values in it. Up to MaxLatency that is 34 KiB a
	// histogram, one per connection; 3 digits would be 8 times as much.
	significantDigits = 2
)

// RelativeError bounds how far a percentile read from a Histogram can be
// from the exact percentile of the recorded samples: 1/128 of it (0.78%).
// HdrHistogram reports a percentile as the highest value of its bucket,
// so the error is always upward: never below the exact percentile, and
// above it by less than the bucket's width. Below 256 ns percentiles are
// exact.
const RelativeError = 1.0 / 128

// Histogram counts latencies in an HdrHistogram: log-linear buckets in
// fixed memory however many samples it holds, recording in constant time
// without allocating, and mergeable, so each connection keeps its own and
// the run adds them up at the end. Beside it, Histogram keeps the exact
// minimum, maximum and sum, which HdrHistogram only approximates. The
// zero value is not usable; call NewHistogram. A Histogram is not safe for
// concurrent use.
type Histogram struct {
	hdr      *hdrhistogram.Histogram
	sum      time.Duration // for the mean; 2^63 ns is 292 years of samples
	min, max time.Duration
}

// NewHistogram returns an empty histogram, tracking 1 ns to MaxLatency.
func NewHistogram() *Histogram {
	return &Histogram{hdr: hdrhistogram.New(1, int64(MaxLatency), significantDigits)}
}

// Record adds one latency. Negative durations count as zero; durations
// above MaxLatency count as MaxLatency in percentiles.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	// Within [0, MaxLatency] RecordValue cannot fail.
	_ = h.hdr.RecordValue(int64(min(d, MaxLatency)))
	if h.hdr.TotalCount() == 1 || d < h.min {
		h.min = d
	}
	h.max = max(h.max, d)
	h.sum += d
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.Count() == 0 {
		return
	}
	if h.Count() == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.sum += o.sum
	// Both histograms cover the same range, so none is dropped.
	h.hdr.Merge(o.hdr)
}

// Reset empties h, keeping its memory.
func (h *Histogram) Reset() {
	h.hdr.Reset()
	h.sum, h.min, h.max = 0, 0, 0
}

// Count returns the number of samples.
func (h *Histogram) Count() uint64 { return uint64(h.hdr.TotalCount()) }

// Min returns the smallest sample, exactly; zero when empty.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest sample, exactly; zero when empty.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average sample, exactly; zero when empty.
func (h *Histogram) Mean() time.Duration {
	n := h.hdr.TotalCount()
	if n == 0 {
		return 0
	}
	return h.sum / time.Duration(n)
}

// Percentile returns the p-th percentile (0 < p < 100): the sample that
// p percent of the samples are at or below, ranked as HdrHistogram does
// (p/100 of the count, rounded to the nearest), reported within
// RelativeError above it. It returns zero when h is empty; p <= 0 gives
// Min and p >= 100 gives Max, both exact.
func (h *Histogram) Percentile(p float64) time.Duration {
	switch {
	case h.hdr.TotalCount() == 0:
		return 0
	case p <= 0:
		return h.min
	case p >= 100:
		return h.max
	}
	v := time.Duration(h.hdr.ValueAtPercentile(p))
	return max(h.min, min(v, h.max))
}
