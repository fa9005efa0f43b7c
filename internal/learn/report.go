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

// reporter implements testscript.T outside `go test`, running each script
// in turn and recording its outcome. FailNow and Skip end the script's
// goroutine, as they do in the testing package.
type reporter struct {
	name    string
	verbose bool
	onDone  func(scriptResult) // called as each script finishes

	mu      sync.Mutex
	log     strings.Builder
	failed  bool
	skipped bool
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

// Parallel does nothing: scripts run one after another, so their results
// print in order.
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

// Run runs one script in its own goroutine, so FailNow can end it, and
// reports its result.
func (r *reporter) Run(name string, f func(testscript.T)) {
	child := &reporter{name: name, verbose: r.verbose}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(child)
	}()
	<-done
	child.mu.Lock()
	res := scriptResult{Name: name, Failed: child.failed, Skipped: child.skipped,
		Log: child.log.String(), Duration: time.Since(start)}
	child.mu.Unlock()
	if res.Failed {
		r.mu.Lock()
		r.failed = true
		r.mu.Unlock()
	}
	if r.onDone != nil {
		r.onDone(res)
	}
}
