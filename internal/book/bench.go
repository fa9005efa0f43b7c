package book

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchView is one run as the /bench page shows it.
type benchView struct {
	At       time.Time
	Command  string
	Load     string
	RPS, P99 template.HTML // the charts
	Problem  string        // why the run cannot be charted
}

// bench serves /bench: the kept `learn bench --compare` runs, newest
// first, each as a chart of requests per second and one of p99 latency.
func (b *Book) bench(w http.ResponseWriter, r *http.Request) {
	rows, warning := b.rows()
	h, err := loadBench(b.cfg.ConfigDir)
	if err != nil && warning == "" {
		warning = err.Error()
	}
	data := struct {
		page
		Runs []benchView
		Keep int
	}{page: page{Title: "Bench", Current: "bench", Nav: rows, Warning: warning}, Keep: KeepRuns}
	for _, run := range slices.Backward(h.Runs) {
		data.Runs = append(data.Runs, viewRun(run))
	}
	b.render(w, http.StatusOK, "bench", data)
}

// viewRun draws one run's charts.
func viewRun(run BenchRun) benchView {
	v := benchView{At: run.At, Command: "learn " + strings.Join(run.Command, " ")}
	var c comparison
	if err := json.Unmarshal(run.Comparison, &c); err != nil {
		v.Problem = "this run's results cannot be read: " + err.Error()
		return v
	}
	v.Load = describeLoad(c)
	rps := chart{Title: "Requests per second, median of the rounds (longer is better)"}
	p99 := chart{Title: "99th percentile latency over all rounds (shorter is better)"}
	for _, s := range c.Servers {
		base := s.Name == c.Baseline
		note := ""
		switch {
		case s.Skipped != "":
			note = "skipped: " + s.Skipped
		case s.Failed != "":
			note = "failed: " + s.Failed
		case s.Total == nil:
			note = "not measured"
		}
		if note != "" {
			rps.Bars = append(rps.Bars, bar{Label: s.Name, Note: note, Baseline: base})
			p99.Bars = append(p99.Bars, bar{Label: s.Name, Note: note, Baseline: base})
			continue
		}
		text := thousands(s.MedianRPS) + " req/s"
		if s.Ratio != nil && !base {
			text += fmt.Sprintf(" · %.2f×", *s.Ratio)
		}
		rps.Bars = append(rps.Bars, bar{Label: s.Name, Value: s.MedianRPS, Text: text, Baseline: base})
		ms := s.Total.LatencyMS.P99
		p99.Bars = append(p99.Bars, bar{Label: s.Name, Value: ms, Text: millis(ms), Baseline: base})
	}
	var err error
	if v.RPS, err = rps.svg(); err == nil {
		v.P99, err = p99.svg()
	}
	if err != nil {
		v.Problem = err.Error()
	}
	return v
}

// describeLoad says in a line what load the run applied, as the
// terminal report does.
func describeLoad(c comparison) string {
	var parts []string
	parts = append(parts, plural(c.Load.Connections, "connection"))
	if c.Load.KeepAlive {
		parts = append(parts, "keep-alive")
	} else {
		parts = append(parts, "a connection per request")
	}
	if c.Load.Pipeline > 1 {
		parts = append(parts, "pipeline "+strconv.Itoa(c.Load.Pipeline))
	}
	switch {
	case c.Load.Requests > 0:
		parts = append(parts, fmt.Sprintf("%s of %s requests each", plural(c.Rounds, "round"), thousands(float64(c.Load.Requests))))
	case c.Load.Seconds > 0:
		d := time.Duration(c.Load.Seconds * float64(time.Second))
		parts = append(parts, fmt.Sprintf("%s of %v each", plural(c.Rounds, "round"), d))
	}
	if c.Load.Path != "" && c.Load.Path != "/" {
		parts = append(parts, "GET "+c.Load.Path)
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
