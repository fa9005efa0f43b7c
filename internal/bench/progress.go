package bench

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressSteps is the bar's resolution: each measurement is this many
// steps of it.
const progressSteps = 1000

// Progress shows how far a run or a comparison has come. On a terminal it
// is a bar that fills up and is cleared when done (schollz/progressbar);
// elsewhere, such as a CI log, it prints one line per measurement of a
// comparison and nothing for a single run, whose summary says it all.
type Progress struct {
	w   io.Writer
	tty bool
	bar *progressbar.ProgressBar
}

// NewProgress returns a Progress writing to w, as a bar when tty is true.
func NewProgress(w io.Writer, tty bool) *Progress {
	return &Progress{w: w, tty: tty}
}

func (p *Progress) newBar(total int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "█", SaucerPadding: "░", BarStart: " ", BarEnd: " "}),
	)
}

// ForRun returns the Config.Progress func that shows a single run's
// progress, or nil when there is nothing to show.
func (p *Progress) ForRun(cfg Config) func(Status) {
	if !p.tty {
		return nil
	}
	cfg = cfg.withDefaults()
	return func(s Status) {
		if p.bar == nil {
			p.bar = p.newBar(progressSteps, "bench")
		}
		p.bar.Describe(fmt.Sprintf("%s req/s", thousands(int64(math.Round(rate(s))))))
		_ = p.bar.Set64(int64(fraction(cfg, s) * progressSteps)) // a terminal write: see Done
	}
}

// Event shows a comparison's progress; pass it as CompareConfig.Events
// or IdleConfig.Events.
func (p *Progress) Event(e Event) {
	what := fmt.Sprintf("round %d/%d", e.Round, e.Rounds)
	if e.Round == 0 {
		what = "warm-up"
	}
	if !p.tty {
		switch {
		case e.Done && e.Failed != "":
			fmt.Fprintf(p.w, "%-11s %-10s failed: %s\n", what, e.Target, e.Failed)
		case e.Done && e.Idle != nil:
			fmt.Fprintf(p.w, "%-11s %-10s %s\n", what, e.Target, idleLine(*e.Idle))
		case e.Done:
			r := e.Result
			fmt.Fprintf(p.w, "%-11s %-10s %9s req/s  p99 %-8s errors %d  non-2xx %d\n", what, e.Target,
				thousands(int64(math.Round(r.RequestsPerSecond()))), FormatLatency(r.Latency.Percentile(99)),
				r.Errors, r.Non2xx)
		}
		return
	}
	if p.bar == nil {
		p.bar = p.newBar(progressSteps, "")
	}
	desc := fmt.Sprintf("%-11s %-10s", what, e.Target)
	if e.Step != "" {
		desc += " " + e.Step
	}
	p.bar.Describe(desc)
	_ = p.bar.Set64(int64(e.Overall * progressSteps)) // a terminal write: see Done
}

// idleLine says in one line what an idle measurement saw.
func idleLine(r IdleRound) string {
	lost := fmt.Sprintf("lost %d", r.Lost)
	if !r.HasRSS() {
		return fmt.Sprintf("%s held, RSS not measured  %s", plural(r.Conns, "connection"), lost)
	}
	return fmt.Sprintf("RSS %s empty, %s with %s idle: %s per connection  %s", FormatBytes(float64(r.EmptyRSS)),
		FormatBytes(float64(r.IdleRSS)), thousands(int64(r.Conns)), FormatBytes(r.PerConn()), lost)
}

// Done clears the bar, if one is shown, so the report starts on a clean
// line. The bar's errors are ignored, here and above: they are failed
// writes to the terminal, where there is nothing better to report them.
func (p *Progress) Done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
		p.bar = nil
	}
}

// fraction returns how much of cfg's measurement s has done, 0 to 1.
func fraction(cfg Config, s Status) float64 {
	var f float64
	if cfg.Requests > 0 {
		f = float64(s.Requests+s.Errors) / float64(cfg.Requests)
	} else if cfg.Duration > 0 {
		f = float64(s.Elapsed) / float64(cfg.Duration)
	}
	return max(0, min(f, 1))
}

// rate returns the requests per second so far.
func rate(s Status) float64 {
	if s.Elapsed < time.Millisecond {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}
