package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Defaults of a comparison.
const (
	// DefaultRounds is the number of rounds when CompareConfig.Rounds is
	// zero.
	DefaultRounds = 3
	// MaxRounds bounds CompareConfig.Rounds.
	MaxRounds = 100
	// DefaultWarmUp is how long each server is loaded, unmeasured, before
	// the first round when CompareConfig.WarmUp is zero: long enough for
	// its first connections, goroutines and caches to exist.
	DefaultWarmUp = 500 * time.Millisecond
)

// Target is one server of a comparison, run in a process of its own.
type Target struct {
	// Name labels the server in reports: "ch05", "net/http".
	Name string
	// Command returns the command line that serves on 127.0.0.1:port.
	Command func(port int) []string
	// Env is added to the bench's environment for the server.
	Env []string
	// Skip, if not empty, says why the server is not measured ("not
	// written yet"); it is listed in the report and never started.
	Skip string
}

// CompareConfig describes a comparison of servers under the same load.
type CompareConfig struct {
	Targets []Target
	// Load is the load of each measurement. Its Addr and Host are set per
	// server; Progress is ignored (see Events).
	Load Config
	// Rounds is how many times each server is measured. If zero,
	// DefaultRounds.
	Rounds int
	// WarmUp is how long each server is loaded before the first round. If
	// zero, DefaultWarmUp; if negative, no warm-up.
	WarmUp time.Duration
	// Baseline names the target that ratios are taken against: "net/http".
	Baseline string
	// Events, if not nil, is told of each measurement as it starts,
	// progresses and ends; it is called from one goroutine at a time.
	Events func(Event)
}

// Event is news of a comparison in progress.
type Event struct {
	// Round is 1 to Rounds; 0 during the warm-up.
	Round, Rounds int
	// Index counts measurements from 1 to Total, warm-ups included.
	Index, Total int
	Target       string
	// Status is the measurement's progress so far, and Fraction how much
	// of it is done, 0 to 1. Overall is how much of the whole comparison
	// is done, 0 to 1, each measurement weighed by its expected length.
	Status            Status
	Fraction, Overall float64
	// Done reports that the measurement ended; Result holds what it saw.
	Done   bool
	Result Result
	// Step says what an idle measurement (CompareIdle) is doing, such as
	// "opening 1,200/10,000"; empty for a throughput measurement.
	Step string
	// Idle holds what an idle measurement saw, when Done; nil otherwise.
	Idle *IdleRound
	// Failed says why an idle measurement could not be made, when Done.
	Failed string
}

// CompareResult is what a comparison measured, one entry per target in
// the order given.
type CompareResult struct {
	Rounds   int
	Baseline string
	Servers  []ServerResult
}

// ServerResult is what a comparison measured of one server.
type ServerResult struct {
	Name string
	// Skipped says why the server was not measured; empty if it was.
	Skipped string
	// Failed says why the server could not be measured to the end: it
	// did not start, or exited during the comparison; empty if it could.
	Failed string
	// Rounds holds one result per round measured.
	Rounds []Result
}

// Measured reports whether the server has at least one round.
func (s ServerResult) Measured() bool { return len(s.Rounds) > 0 }

// MedianRPS returns the median of the rounds' requests per second: one
// slow round (a noisy neighbour, a GC in the bench) moves it less than a
// mean.
func (s ServerResult) MedianRPS() float64 {
	if len(s.Rounds) == 0 {
		return 0
	}
	rps := make([]float64, len(s.Rounds))
	for i, r := range s.Rounds {
		rps[i] = r.RequestsPerSecond()
	}
	return median(rps)
}

// MedianCPUPerRequest returns the median of the rounds' server CPU time
// per request, or zero when it could not be read.
func (s ServerResult) MedianCPUPerRequest() time.Duration {
	var cpu []float64
	for _, r := range s.Rounds {
		if c := r.CPUPerRequest(); c > 0 {
			cpu = append(cpu, float64(c))
		}
	}
	if len(cpu) == 0 {
		return 0
	}
	return time.Duration(median(cpu))
}

// Total adds up the rounds: requests, errors, non-2xx, time and every
// latency sample.
func (s ServerResult) Total() Result {
	t := Result{Latency: NewHistogram()}
	for _, r := range s.Rounds {
		t.Requests += r.Requests
		t.Errors += r.Errors
		t.Non2xx += r.Non2xx
		t.Elapsed += r.Elapsed
		t.Latency.Merge(r.Latency)
		t.ServerCPU += r.ServerCPU
	}
	return t
}

// Ratio returns s's median requests per second over the baseline's, and
// whether there is a measured baseline to compare with.
func (c CompareResult) Ratio(s ServerResult) (float64, bool) {
	for _, b := range c.Servers {
		if b.Name == c.Baseline && b.Measured() && s.Measured() {
			base := b.MedianRPS()
			if base == 0 {
				return 0, false
			}
			return s.MedianRPS() / base, true
		}
	}
	return 0, false
}

// median returns the middle value of xs, or the mean of the two middle
// values when there is an even number; xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Compare starts every target not skipped, each in its own process, warms
// them up, then measures them in Rounds rounds, rotating the order each
// round so that no server always goes first or last, and stops every
// process before it returns, on error and cancellation too. A server that
// does not start or dies is reported in its ServerResult, not as an error;
// Compare's error is for a bad configuration or ctx being done.
func Compare(ctx context.Context, cc CompareConfig) (CompareResult, error) {
	if cc.Rounds == 0 {
		cc.Rounds = DefaultRounds
	}
	if cc.WarmUp == 0 {
		cc.WarmUp = DefaultWarmUp
	}
	if err := cc.validate(); err != nil {
		return CompareResult{}, err
	}
	res := CompareResult{Rounds: cc.Rounds, Baseline: cc.Baseline, Servers: make([]ServerResult, len(cc.Targets))}
	procs := make([]*process, len(cc.Targets))
	defer stopAll(procs)

	var live []int // indexes of the targets that started
	for i, t := range cc.Targets {
		res.Servers[i].Name = t.Name
		if t.Skip != "" {
			res.Servers[i].Skipped = t.Skip
			continue
		}
		p, err := startServer(ctx, t)
		if ctx.Err() != nil {
			return res, fmt.Errorf("bench: comparison stopped: %w", ctx.Err())
		}
		if err != nil {
			res.Servers[i].Failed = fmt.Sprintf("did not start: %v", err)
			continue
		}
		procs[i] = p
		live = append(live, i)
	}

	warm := cc.Load
	warm.Duration, warm.Requests = cc.WarmUp, 0
	m := measurer{cc: cc, total: len(live) * cc.Rounds}
	m.planned = time.Duration(m.total) * weight(cc.Load)
	if cc.WarmUp > 0 {
		m.total += len(live)
		m.planned += time.Duration(len(live)) * weight(warm)
		for _, i := range live {
			if _, err := m.measure(ctx, warm, 0, cc.Targets[i].Name, procs[i].addr); err != nil {
				return res, err
			}
		}
	}
	for round := range cc.Rounds {
		for k := range live {
			i := live[(k+round)%len(live)]
			s := &res.Servers[i]
			if s.Failed != "" {
				m.skip(cc.Load) // keep the progress count whole
				continue
			}
			cpu0, cpuErr := procs[i].cpu()
			r, err := m.measure(ctx, cc.Load, round+1, s.Name, procs[i].addr)
			if err != nil {
				return res, err
			}
			if cpu1, err := procs[i].cpu(); err == nil && cpuErr == nil {
				r.ServerCPU = cpu1 - cpu0
			}
			if exited, err := procs[i].Exited(); exited {
				s.Failed = fmt.Sprintf("exited during round %d (%v)%s", round+1, err, procs[i].out.said())
				continue
			}
			s.Rounds = append(s.Rounds, r)
		}
	}
	return res, nil
}

// validate checks the comparison's own settings and the load's.
func (cc CompareConfig) validate() error {
	switch {
	case len(cc.Targets) == 0:
		return badConfig("nothing to compare")
	case cc.Rounds < 0 || cc.Rounds > MaxRounds:
		return badConfig("--rounds %d: use 1 to %d", cc.Rounds, MaxRounds)
	}
	seen := map[string]bool{}
	for _, t := range cc.Targets {
		if seen[t.Name] {
			return badConfig("--compare lists %s twice", t.Name)
		}
		seen[t.Name] = true
		if t.Skip == "" && t.Command == nil {
			return badConfig("no command for %s", t.Name)
		}
	}
	load := cc.Load
	load.Addr = loopback // set per server
	return load.Validate()
}

// measurer runs a comparison's measurements one after another and tells
// Events about them.
type measurer struct {
	cc           CompareConfig
	index, total int
	// done and planned weigh the measurements finished and all of them,
	// for Event.Overall.
	done, planned time.Duration
}

// nominalWeight stands for the length of a measurement that counts
// requests, whose duration is not known in advance.
const nominalWeight = time.Second

// weight is how long a measurement of load is expected to last, so that a
// short warm-up moves the overall progress less than a round.
func weight(load Config) time.Duration {
	if load.Requests > 0 {
		return nominalWeight
	}
	return load.withDefaults().Duration
}

// skip counts a measurement that will not run as done.
func (m *measurer) skip(load Config) {
	m.index++
	m.done += weight(load)
}

func (m *measurer) measure(ctx context.Context, load Config, round int, name, addr string) (Result, error) {
	m.index++
	w := weight(load)
	overall := func(f float64) float64 {
		if m.planned <= 0 {
			return 0
		}
		return min(1, (float64(m.done)+f*float64(w))/float64(m.planned))
	}
	defer func() { m.done += w }()
	ev := Event{Round: round, Rounds: m.cc.Rounds, Index: m.index, Total: m.total, Target: name, Overall: overall(0)}
	emit := func(Event) {}
	if m.cc.Events != nil {
		// Run calls Progress from its own goroutine; the mutex keeps
		// Events to one call at a time, as documented.
		var mu sync.Mutex
		emit = func(e Event) {
			mu.Lock()
			defer mu.Unlock()
			m.cc.Events(e)
		}
	}
	emit(ev)
	load.Addr, load.Host = addr, addr
	full := load.withDefaults()
	load.Progress = func(s Status) {
		e := ev
		e.Status, e.Fraction = s, fraction(full, s)
		e.Overall = overall(e.Fraction)
		emit(e)
	}
	r, err := Run(ctx, load)
	if err != nil {
		if errors.Is(err, ctx.Err()) {
			return r, fmt.Errorf("bench: comparison stopped: %w", ctx.Err())
		}
		return r, err
	}
	ev.Done, ev.Result, ev.Fraction, ev.Overall = true, r, 1, overall(1)
	ev.Status = Status{Elapsed: r.Elapsed, Requests: r.Requests, Errors: r.Errors}
	emit(ev)
	return r, nil
}

// stopAll stops every process that was started, all at once: a graceful
// stop may take a while, and the servers need not wait for each other.
func stopAll(procs []*process) {
	var wg sync.WaitGroup
	for _, p := range procs {
		if p != nil {
			wg.Go(p.stop)
		}
	}
	wg.Wait()
}
