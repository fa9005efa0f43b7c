package bench

import (
	"context"
	"fmt"
	"github.com/httpfromscratch/course/internal/proc"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds and pacing of an idle measurement.
const (
	// MaxIdle bounds IdleConfig.Conns. Every connection goes to the same
	// server port from 127.0.0.1, so each takes one of the client's
	// ephemeral ports (28,232 by default on Linux): those run out first.
	MaxIdle = 50000
	// IdleDialers is how many connections are being opened (or asked
	// their second GET) at once: enough to open 10,000 in seconds, few
	// enough that the server's listen backlog never overflows, where a
	// dropped SYN costs a second's retry and skews the timing.
	IdleDialers = 64
	// FileHeadroom is how many files the bench may need besides the idle
	// connections: its binary, its terminal, the warm-up's connections.
	FileHeadroom = 100
	// RSSInterval is the pause between two readings of a server's
	// memory, and RSSReadings the most readings taken for one figure (see
	// settledRSS).
	RSSInterval = 200 * time.Millisecond
	RSSReadings = 5
)

// IdleConfig describes a comparison of what idle keep-alive connections
// cost each server in memory.
type IdleConfig struct {
	Targets []Target
	// Conns is how many idle connections each server holds, 1 to
	// MaxIdle.
	Conns int
	// Path is what each connection GETs, twice; it must answer 2xx and
	// keep the connection open. If empty, "/".
	Path string
	// Rounds is how many times each server is started and measured. If
	// zero, DefaultRounds.
	Rounds int
	// Timeout bounds each connect and each GET. If zero, DefaultTimeout.
	Timeout time.Duration
	// Baseline names the target that ratios are taken against.
	Baseline string
	// Events, if not nil, is told of each measurement as it starts,
	// progresses (Event.Step) and ends (Event.Idle or Event.Failed); it
	// is called from one goroutine at a time.
	Events func(Event)
}

// IdleRound is one measurement of one server.
type IdleRound struct {
	// Conns is how many connections the server held.
	Conns int
	// PID is the process whose memory was read: the one started, or the
	// worker of a prefork server that answered GET /pid.
	PID int
	// EmptyRSS is the process's resident memory, in bytes, after one GET
	// on a connection since closed; IdleRSS is the same with Conns idle
	// connections open. Both are zero when RSSError is set.
	EmptyRSS, IdleRSS int64
	// RSSError says why memory could not be read (not Linux); empty if
	// it was.
	RSSError string
	// Lost counts the connections whose second GET, sent after IdleRSS
	// was read, failed: the server had not held them all.
	Lost int
	// Open is how long opening the connections took, first GETs
	// included.
	Open time.Duration
}

// HasRSS reports whether the round's memory was read.
func (r IdleRound) HasRSS() bool { return r.RSSError == "" && r.Conns > 0 }

// PerConn returns what one idle connection cost the server, in bytes:
// (IdleRSS - EmptyRSS) / Conns. Noise can make it negative when Conns is
// small.
func (r IdleRound) PerConn() float64 {
	if !r.HasRSS() {
		return 0
	}
	return float64(r.IdleRSS-r.EmptyRSS) / float64(r.Conns)
}

// IdleServer is what an idle comparison measured of one server.
type IdleServer struct {
	Name string
	// Skipped says why the server was not measured; empty if it was.
	Skipped string
	// Failed says why the server could not be measured to the end; the
	// rounds before the failure are kept.
	Failed string
	// Rounds holds one entry per round measured.
	Rounds []IdleRound
}

// Measured reports whether the server has at least one round.
func (s IdleServer) Measured() bool { return len(s.Rounds) > 0 }

// Median returns the round whose PerConn is the median of those whose
// memory was read (with an even number of them, the lower of the middle
// two), so that the figures shown together all come from one real round;
// false when there is none.
func (s IdleServer) Median() (IdleRound, bool) {
	var rs []IdleRound
	for _, r := range s.Rounds {
		if r.HasRSS() {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return IdleRound{}, false
	}
	slices.SortStableFunc(rs, func(a, b IdleRound) int { return cmpFloat(a.PerConn(), b.PerConn()) })
	return rs[(len(rs)-1)/2], true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Lost adds up the connections lost over every round.
func (s IdleServer) Lost() int {
	n := 0
	for _, r := range s.Rounds {
		n += r.Lost
	}
	return n
}

// IdleResult is what an idle comparison measured, one entry per target in
// the order given.
type IdleResult struct {
	Conns    int
	Path     string
	Rounds   int
	Baseline string
	Servers  []IdleServer
}

// Ratio returns s's median bytes per connection over the baseline's, and
// whether there is a baseline figure above zero to compare with.
func (res IdleResult) Ratio(s IdleServer) (float64, bool) {
	r, ok := s.Median()
	if !ok {
		return 0, false
	}
	for _, b := range res.Servers {
		if b.Name != res.Baseline {
			continue
		}
		base, ok := b.Median()
		if !ok || base.PerConn() <= 0 {
			return 0, false
		}
		return r.PerConn() / base.PerConn(), true
	}
	return 0, false
}

// withDefaults returns ic with every zero field set to its default.
func (ic IdleConfig) withDefaults() IdleConfig {
	if ic.Rounds == 0 {
		ic.Rounds = DefaultRounds
	}
	if ic.Path == "" {
		ic.Path = "/"
	}
	if ic.Timeout == 0 {
		ic.Timeout = DefaultTimeout
	}
	return ic
}

// validate checks the settings, naming the flag a user would change.
func (ic IdleConfig) validate() error {
	switch {
	case len(ic.Targets) == 0:
		return badConfig("nothing to compare")
	case ic.Conns < 1 || ic.Conns > MaxIdle:
		return badConfig("--idle %d: use 1 to %d", ic.Conns, MaxIdle)
	case ic.Rounds < 0 || ic.Rounds > MaxRounds:
		return badConfig("--rounds %d: use 1 to %d", ic.Rounds, MaxRounds)
	case ic.Timeout < 0:
		return badConfig("--timeout %v: use a positive duration", ic.Timeout)
	case !validTarget(ic.Path):
		return badConfig("--path %q: use an origin-form target such as /status/200", ic.Path)
	}
	seen := map[string]bool{}
	for _, t := range ic.Targets {
		if seen[t.Name] {
			return badConfig("--compare lists %s twice", t.Name)
		}
		seen[t.Name] = true
		if t.Skip == "" && t.Command == nil {
			return badConfig("no command for %s", t.Name)
		}
	}
	return nil
}

// CompareIdle measures what ic.Conns idle keep-alive connections cost
// each target in resident memory. In each round, in an order rotated as
// Compare's, it starts each server afresh in a process of its own, alone,
// and measures it (see idleMeasurer.measure) before stopping it and
// starting the next, so that no server's connections weigh on another's
// figures. A server that does not start, fails a GET or dies is reported
// in its IdleServer, not as an error; CompareIdle's error is for a bad
// configuration, a limit on open files too low for ic.Conns, or ctx being
// done. Where memory cannot be read (not Linux), every round says so in
// its RSSError and the rest is measured all the same.
func CompareIdle(ctx context.Context, ic IdleConfig) (IdleResult, error) {
	ic = ic.withDefaults()
	if err := ic.validate(); err != nil {
		return IdleResult{}, err
	}
	if err := raiseFileLimit(ic.Conns + FileHeadroom); err != nil {
		return IdleResult{}, err
	}
	res := IdleResult{Conns: ic.Conns, Path: ic.Path, Rounds: ic.Rounds, Baseline: ic.Baseline,
		Servers: make([]IdleServer, len(ic.Targets))}
	var live []int
	for i, t := range ic.Targets {
		res.Servers[i].Name = t.Name
		if t.Skip != "" {
			res.Servers[i].Skipped = t.Skip
			continue
		}
		live = append(live, i)
	}
	m := &idleMeasurer{ic: ic, total: len(live) * ic.Rounds}
	for round := range ic.Rounds {
		for k := range live {
			i := live[(k+round)%len(live)]
			s := &res.Servers[i]
			if s.Failed != "" {
				m.index++ // keep the progress count whole
				continue
			}
			r, failed, err := m.measure(ctx, ic.Targets[i], round+1)
			if err != nil {
				return res, err
			}
			if failed != "" {
				s.Failed = failed
				continue
			}
			s.Rounds = append(s.Rounds, r)
		}
	}
	return res, nil
}

// idleMeasurer runs an idle comparison's measurements one after another
// and tells Events about them.
type idleMeasurer struct {
	ic           IdleConfig
	index, total int
	mu           sync.Mutex // keeps Events to one call at a time
}

// Where each step of a measurement ends, as a fraction of it, for the
// progress bar: opening and the second GETs take nearly all the time.
const (
	stepStarted = 0.05
	stepOpened  = 0.6
	stepHeld    = 0.65
	stepChecked = 0.95
)

// event tells Events about the measurement in ev at fraction f of it.
func (m *idleMeasurer) event(ev Event, f float64) {
	if m.ic.Events == nil {
		return
	}
	ev.Fraction = f
	if m.total > 0 {
		ev.Overall = min(1, (float64(ev.Index-1)+f)/float64(m.total))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ic.Events(ev)
}

// measure starts t, warms it up with one GET, reads its memory, opens
// ic.Conns connections each with a GET answered, reads its memory again,
// sends a second GET on every connection to prove they are all still
// held, closes them and stops the server. It returns the round, or why
// the server could not be measured, or an error when ctx is done.
func (m *idleMeasurer) measure(ctx context.Context, t Target, round int) (r IdleRound, failed string, err error) {
	m.index++
	ev := Event{Round: round, Rounds: m.ic.Rounds, Index: m.index, Total: m.total, Target: t.Name}
	step := func(s string, f float64) {
		e := ev
		e.Step = s
		m.event(e, f)
	}
	defer func() {
		if err != nil {
			return
		}
		e := ev
		e.Done = true
		if failed != "" {
			e.Failed = failed
		} else {
			e.Idle = &r
		}
		m.event(e, 1)
	}()
	stopped := func() error { return fmt.Errorf("bench: comparison stopped: %w", ctx.Err()) }

	step("starting", 0)
	p, err := startServer(ctx, t)
	if ctx.Err() != nil {
		return r, "", stopped()
	}
	if err != nil {
		return r, fmt.Sprintf("did not start in round %d: %v", round, err), nil
	}
	h := newHeld(p.addr, m.ic)
	defer func() {
		h.close()
		step("stopping", stepChecked)
		p.stop()
	}()
	// died turns a failure into the reason behind it when the server
	// exited: its exit and last words say more than a refused connection.
	died := func(what string) string {
		if exited, perr := p.Exited(); exited {
			return fmt.Sprintf("exited during round %d (%v)%s", round, perr, p.out.said())
		}
		return fmt.Sprintf("round %d: %s", round, what)
	}

	r.Conns = m.ic.Conns
	r.PID = p.Pid()
	if err := h.warmUp(ctx); err != nil {
		return r, died(fmt.Sprintf("warm-up GET %s: %v", m.ic.Path, err)), nil
	}
	if proc.Supported {
		if r.PID, err = serverPID(ctx, p, m.ic.Timeout); err != nil {
			return r, died(err.Error()), nil
		}
		if soft, _, err := proc.OpenFileLimits(r.PID); err == nil && soft < uint64(r.Conns) {
			return r, fmt.Sprintf("its process %d may open %d files (its soft RLIMIT_NOFILE), fewer than the %s connections",
				r.PID, soft, thousands(int64(r.Conns))), nil
		}
	}
	step("reading RSS", stepStarted)
	empty, rssErr := settledRSS(ctx, r.PID)

	var done atomic.Int64
	track := func(what string, from, to float64) (stop func()) {
		return m.track(ev, &done, what, from, to)
	}
	start := time.Now()
	stopTrack := track("opening", stepStarted, stepOpened)
	_, err = h.each(ctx, false, &done, h.open)
	stopTrack()
	r.Open = time.Since(start)
	switch {
	case ctx.Err() != nil:
		return r, "", stopped()
	case err != nil:
		return r, died(err.Error()), nil
	}

	step("reading RSS", stepOpened)
	idle, err := settledRSS(ctx, r.PID)
	if rssErr == nil {
		rssErr = err
	}
	if rssErr != nil {
		r.RSSError = rssErr.Error()
	} else {
		r.EmptyRSS, r.IdleRSS = empty, idle
	}

	done.Store(0)
	stopTrack = track("second GET", stepHeld, stepChecked)
	r.Lost, _ = h.each(ctx, true, &done, h.again)
	stopTrack()
	if ctx.Err() != nil {
		return r, "", stopped()
	}
	if exited, _ := p.Exited(); exited {
		return r, died(""), nil
	}
	return r, "", nil
}

// track tells Events every ProgressInterval how many of the connections
// done counts have got through the step what, which runs from fraction
// from to fraction to of the measurement. Call stop when the step is
// over.
func (m *idleMeasurer) track(ev Event, done *atomic.Int64, what string, from, to float64) (stop func()) {
	n := int64(m.ic.Conns)
	tell := func() {
		d := done.Load()
		e := ev
		e.Step = fmt.Sprintf("%s %s/%s", what, thousands(d), thousands(n))
		m.event(e, from+(to-from)*float64(d)/float64(n))
	}
	tell()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				tell()
			}
		}
	})
	return func() {
		close(quit)
		wg.Wait()
		tell()
	}
}

// settledRSS reads pid's resident memory every RSSInterval until two
// readings in a row are within 1% of each other, or RSSReadings were
// taken, and returns the last reading.
//
// The last, not the largest: the figure wanted is what holding the
// connections costs once the server has settled, not the peak of opening
// them. Right after the last GET the server may still be finishing its
// last handlers, and the Go runtime's background scavenger may be
// returning pages freed by the burst; the largest reading would add that
// transient to the figure, and it depends on how fast the bench opened
// the connections rather than on the server. When memory has not settled
// after RSSReadings, the last reading is still the nearest to the steady
// state.
func settledRSS(ctx context.Context, pid int) (int64, error) {
	last, err := proc.RSS(pid)
	if err != nil {
		return 0, err
	}
	for range RSSReadings - 1 {
		t := time.NewTimer(RSSInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, nil
		case <-t.C:
		}
		now, err := proc.RSS(pid)
		if err != nil {
			return 0, err
		}
		settled := math.Abs(float64(now-last)) <= float64(now)/100
		last = now
		if settled {
			break
		}
	}
	return last, nil
}
