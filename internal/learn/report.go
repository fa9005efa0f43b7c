package learn

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptResult is the outcome of one script.
type scriptResult struct {
	Name     string
	Failed   bool
	Skipped  bool
	Log      string
	Duration time.Duration
}

// maxParallelScripts bounds how many scripts run at once: each starts a
// server, and a slow failing check should not hold up the others.
const maxParallelScripts = 4

// reporter implements testscript.T outside `go test`. It runs scripts in
// parallel (at most maxParallelScripts at once) and reports each outcome
// in script order. FailNow and Skip end the script's goroutine, as they do
// in the testing package.
type reporter struct {
	name    string
	verbose bool
	// onDone is called for each script's result, in script order; when
	// it returns false, the reporter stops (see stop).
	onDone func(scriptResult) bool

	mu      sync.Mutex
	log     strings.Builder
	failed  bool
	skipped bool
	stopped bool // the run was cut short: start and report nothing more

	// Children, for the root reporter: results in script order, the
	// number already reported, and the running scripts.
	results []*scriptResult
	printed int
	sem     chan struct{}
	wg      sync.WaitGroup
}

var _ testscript.T = (*reporter)(nil)

func (r *reporter) Skip(args ...any) {
	r.Log(args...)
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *reporter) Fatal(args ...any) {
	r.Log(args...)
	r.FailNow()
}

// Parallel does nothing: Run already runs each script in a goroutine of
// its own, at most maxParallelScripts at once, and the results print in
// script order.
func (r *reporter) Parallel() {}

func (r *reporter) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(&r.log, args...)
}

func (r *reporter) FailNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *reporter) Verbose() bool { return r.verbose }

// Run starts one script in its own goroutine, so FailNow can end it, and
// returns; Wait waits for all of them.
func (r *reporter) Run(name string, f func(testscript.T)) {
	r.mu.Lock()
	if r.sem == nil {
		r.sem = make(chan struct{}, maxParallelScripts)
	}
	slot := len(r.results)
	r.results = append(r.results, nil)
	r.mu.Unlock()

	r.wg.Add(1)
	r.sem <- struct{}{}
	go func() {
		defer r.wg.Done()
		defer func() { <-r.sem }()
		r.mu.Lock()
		stopped := r.stopped
		r.mu.Unlock()
		if stopped {
			return
		}
		child := &reporter{name: name, verbose: r.verbose}
		start := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			f(child)
		}()
		<-done
		child.mu.Lock()
		res := &scriptResult{Name: name, Failed: child.failed, Skipped: child.skipped,
			Log: child.log.String(), Duration: time.Since(start)}
		child.mu.Unlock()
		r.finish(slot, res)
	}()
}

// finish records a script's result and reports every result that is now
// next in script order.
func (r *reporter) finish(slot int, res *scriptResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[slot] = res
	if res.Failed {
		r.failed = true
	}
	for !r.stopped && r.printed < len(r.results) && r.results[r.printed] != nil {
		if r.onDone != nil && !r.onDone(*r.results[r.printed]) {
			r.stopped = true
		}
		r.printed++
	}
}

// stop makes the reporter start no further script and report no further
// result. Results reported before it returns are final.
func (r *reporter) stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// Wait waits for every script started with Run.
func (r *reporter) Wait() { r.wg.Wait() }
