package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one run measured.
type Result struct {
	// Requests counts complete responses, whatever their status.
	Requests int64
	// Errors counts requests that got no complete response: the
	// connection failed, was closed mid-response, timed out, or the
	// response was malformed.
	Errors int64
	// Non2xx counts responses whose status is not 2xx.
	Non2xx int64
	// Elapsed is the wall time from the first request to the last
	// response.
	Elapsed time.Duration
	// Latency holds one sample per complete response: from the write of
	// the request's batch (the dial, without keep-alive) to the last byte
	// of its response.
	Latency *Histogram
	// ServerCPU is the CPU time, user and system, the server's processes
	// used during the measurement, when Compare could read it (Linux);
	// zero otherwise. Unlike requests per second, CPU per request hardly
	// depends on the load generator sharing the machine's cores.
	ServerCPU time.Duration
}

// CPUPerRequest returns ServerCPU per complete response, or zero when
// either is unknown.
func (r Result) CPUPerRequest() time.Duration {
	if r.ServerCPU <= 0 || r.Requests <= 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.Requests)
}

// RequestsPerSecond returns complete responses per second of Elapsed.
func (r Result) RequestsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Run measures the server at cfg.Addr and returns what it saw. It ends
// after cfg.Duration (then finishes the requests in flight) or
// cfg.Requests requests, or when ctx is done: then it returns what was
// measured so far with ctx's error. A server that cannot be reached is not
// an error of Run: its failed requests are counted in Result.Errors.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.withDefaults()

	r := &run{cfg: cfg, start: time.Now()}
	if cfg.Requests > 0 {
		r.budget.Store(cfg.Requests)
	} else {
		r.end = r.start.Add(cfg.Duration)
	}
	req := buildRequest(cfg, cfg.Pipeline)
	workers := make([]*worker, cfg.Connections)
	for i := range workers {
		workers[i] = newWorker(r, req)
	}

	// Stopping on ctx: workers see r.stopped before their next batch, and
	// a batch in flight is cut short by a past deadline on its conn.
	done := make(chan struct{})
	var watchers sync.WaitGroup
	watchers.Go(func() {
		select {
		case <-ctx.Done():
			r.stopped.Store(true)
			for _, w := range workers {
				w.interrupt()
			}
		case <-done:
		}
	})
	if cfg.Progress != nil {
		watchers.Go(func() { r.report(done) })
	}

	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(ctx) })
	}
	wg.Wait()
	elapsed := time.Since(r.start)
	close(done)
	watchers.Wait()

	res := Result{Elapsed: elapsed, Latency: NewHistogram()}
	for _, w := range workers {
		res.Requests += w.requests
		res.Errors += w.errors
		res.Non2xx += w.non2xx
		res.Latency.Merge(w.hist)
	}
	if cfg.Progress != nil {
		cfg.Progress(Status{Elapsed: elapsed, Requests: res.Requests, Errors: res.Errors})
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("bench: run stopped: %w", err)
	}
	return res, nil
}

// run is the state the workers of one Run share.
type run struct {
	cfg   Config
	start time.Time
	end   time.Time // zero when counting requests

	budget   atomic.Int64 // requests left to send, when counting
	stopped  atomic.Bool  // ctx is done: send nothing more
	requests atomic.Int64 // for progress only
	errors   atomic.Int64 // for progress only
}

// claim returns how many requests, at most want, the next batch may send:
// zero when the run is over.
func (r *run) claim(want int, now time.Time) int {
	if r.stopped.Load() {
		return 0
	}
	if r.end.IsZero() {
		for {
			left := r.budget.Load()
			if left <= 0 {
				return 0
			}
			n := min(int64(want), left)
			if r.budget.CompareAndSwap(left, left-n) {
				return int(n)
			}
		}
	}
	if !now.Before(r.end) {
		return 0
	}
	return want
}

// unclaim gives back requests that were never answered because the server
// announced it would close, so they are sent again on a new connection.
func (r *run) unclaim(n int) {
	if r.end.IsZero() {
		r.budget.Add(int64(n))
	}
}

// report calls cfg.Progress every ProgressInterval until done is closed.
func (r *run) report(done <-chan struct{}) {
	t := time.NewTicker(ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			r.cfg.Progress(Status{Elapsed: now.Sub(r.start), Requests: r.requests.Load(), Errors: r.errors.Load()})
		}
	}
}
