package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Palette colors the parts of a report. Each func returns its argument,
// colored or not; a nil func leaves text plain, so the zero Palette prints
// plain text. The bench never decides colors itself: the command line
// builds a Palette for its writer.
type Palette struct {
	Title    func(string) string // the header line
	Label    func(string) string // row labels
	Bad      func(string) string // errors above zero
	Warn     func(string) string // non-2xx above zero, skipped servers
	Dim      func(string) string // units, notes
	Bar      func(string) string // a server's bar
	Baseline func(string) string // the baseline's bar
}

func paint(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// Describe says in a few words what load cfg applies: "50 connections,
// keep-alive, 5s".
func Describe(cfg Config) string {
	return describeConns(cfg) + ", " + measureOf(cfg)
}

// describeConns says how cfg connects: "50 connections, keep-alive".
func describeConns(cfg Config) string {
	cfg = cfg.withDefaults()
	parts := []string{plural(cfg.Connections, "connection")}
	if cfg.NoKeepAlive {
		parts = append(parts, "no keep-alive")
	} else {
		parts = append(parts, "keep-alive")
	}
	if cfg.Pipeline > 1 {
		parts = append(parts, "pipeline "+strconv.Itoa(cfg.Pipeline))
	}
	return strings.Join(parts, ", ")
}

// WriteSummary prints one run's result: a header naming the target and
// the load, then requests, rate, latency percentiles, errors and non-2xx.
func WriteSummary(w io.Writer, target string, cfg Config, r Result, p Palette) error {
	ew := &errWriter{w: w}
	ew.printf("%s  %s\n\n", paint(p.Title, "GET "+target), paint(p.Dim, Describe(cfg)))
	label := func(s string) string { return paint(p.Label, fmt.Sprintf("  %-10s", s)) }
	ew.printf("%s %s %s\n", label("requests"), thousands(r.Requests), paint(p.Dim, "in "+formatSeconds(r.Elapsed)))
	ew.printf("%s %s\n", label("req/s"), thousands(int64(math.Round(r.RequestsPerSecond()))))
	h := r.Latency
	if h == nil {
		h = NewHistogram()
	}
	ew.printf("%s p50 %s   p90 %s   p99 %s   max %s\n", label("latency"),
		FormatLatency(h.Percentile(50)), FormatLatency(h.Percentile(90)),
		FormatLatency(h.Percentile(99)), FormatLatency(h.Max()))
	ew.printf("%s %s\n", label("errors"), count(r.Errors, 0, p.Bad))
	ew.printf("%s %s\n", label("non-2xx"), count(r.Non2xx, 0, p.Warn))
	return ew.err
}

// count shows n right-aligned in width cells, colored with f when it is
// not zero: padded first, so that color codes do not upset the columns.
func count(n int64, width int, f func(string) string) string {
	s := fmt.Sprintf("%*s", width, thousands(n))
	if n == 0 {
		return s
	}
	return paint(f, s)
}

// BarWidth is the width of the bar chart's longest bar, in cells.
const BarWidth = 40

// WriteComparison prints a comparison: a header, a table with one row per
// server (median requests per second over the rounds, the ratio to the
// baseline, p50 and p99 over every round's samples, errors and non-2xx),
// then a bar chart of the medians.
func WriteComparison(w io.Writer, cfg CompareConfig, res CompareResult, p Palette) error {
	ew := &errWriter{w: w}
	names := make([]string, len(res.Servers))
	nameWidth := len("server")
	for i, s := range res.Servers {
		names[i] = s.Name
		nameWidth = max(nameWidth, utf8.RuneCountInString(s.Name))
	}
	ew.printf("%s  %s\n\n", paint(p.Title, "Compare "+strings.Join(names, ", ")),
		paint(p.Dim, fmt.Sprintf("%s, %s of %s each", describeConns(cfg.Load), plural(res.Rounds, "round"), measureOf(cfg.Load))))

	ratioHead := "vs " + res.Baseline
	if res.Baseline == "" {
		ratioHead = "ratio"
	}
	ratioWidth := max(len(ratioHead), 6)
	ew.printf("  %s\n", paint(p.Label, fmt.Sprintf("%-*s %10s %*s %9s %9s %9s %8s %8s",
		nameWidth, "server", "req/s", ratioWidth, ratioHead, "p50", "p99", "CPU/req", "errors", "non-2xx")))
	for _, s := range res.Servers {
		name := pad(s.Name, nameWidth)
		if !s.Measured() {
			writeUnmeasured(ew, name, s.Skipped, s.Failed, p)
			continue
		}
		t := s.Total()
		ratio := "-"
		if r, ok := res.Ratio(s); ok {
			ratio = fmt.Sprintf("%.2f×", r)
		}
		cpu := "-"
		if c := s.MedianCPUPerRequest(); c > 0 {
			cpu = FormatLatency(c)
		}
		ew.printf("  %s %10s %*s %9s %9s %9s %s %s\n", name,
			thousands(int64(math.Round(s.MedianRPS()))), ratioWidth, ratio,
			FormatLatency(t.Latency.Percentile(50)), FormatLatency(t.Latency.Percentile(99)), cpu,
			count(t.Errors, 8, p.Bad), count(t.Non2xx, 8, p.Warn))
		if s.Failed != "" {
			ew.printf("  %s %s\n", pad("", nameWidth), paint(p.Bad, "failed: "+s.Failed))
		}
	}

	var top float64
	for _, s := range res.Servers {
		top = max(top, s.MedianRPS())
	}
	if top > 0 {
		ew.printf("\n")
		for _, s := range res.Servers {
			if !s.Measured() {
				continue
			}
			writeBarRow(ew, pad(s.Name, nameWidth), s.Name == res.Baseline, s.MedianRPS()/top,
				thousands(int64(math.Round(s.MedianRPS()))), "req/s", p)
		}
	}
	return ew.err
}

// measureOf says how long one measurement of a comparison is.
func measureOf(cfg Config) string {
	cfg = cfg.withDefaults()
	if cfg.Requests > 0 {
		return plural64(cfg.Requests, "request")
	}
	return cfg.Duration.String()
}

// eighths are the partial blocks, 1/8 to 7/8 of a cell wide.
var eighths = []string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// Bar draws a horizontal bar of frac (0 to 1) of width cells with Unicode
// block elements, to an eighth of a cell. A value above zero always shows
// at least an eighth.
func Bar(frac float64, width int) string {
	frac = max(0, min(frac, 1))
	n := int(math.Round(frac * float64(width) * 8))
	if n == 0 && frac > 0 {
		n = 1
	}
	bar := strings.Repeat("█", n/8)
	if n%8 > 0 {
		bar += eighths[n%8-1]
	}
	return bar
}

// FormatLatency shows a duration with three significant digits in the
// unit that suits it: 950ns, 12.3µs, 1.52ms, 2.00s.
func FormatLatency(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"s", time.Second}, {"ms", time.Millisecond}, {"µs", time.Microsecond}}
	for _, u := range units {
		if d >= u.size {
			return sigFigs(float64(d)/float64(u.size)) + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// sigFigs formats v (1 or more) with three significant digits.
func sigFigs(v float64) string {
	switch {
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

// formatSeconds shows an elapsed time as "5.01s".
func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func plural(n int, noun string) string { return plural64(int64(n), noun) }

func plural64(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// pad left-aligns s in width cells.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// errWriter keeps the first write error, so a report is written without
// an if after every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// writeUnmeasured writes the row of a server with no figures: skipped (a
// stage not written yet) or failed.
func writeUnmeasured(ew *errWriter, name, skipped, failed string, p Palette) {
	if skipped != "" {
		ew.printf("  %s %s\n", name, paint(p.Warn, "skipped: "+skipped))
		return
	}
	ew.printf("  %s %s\n", name, paint(p.Bad, "failed: "+failed))
}

// writeBarRow writes one row of a report's bar chart: the server's name,
// a bar for fraction (of the widest), its figure and what the figure
// counts. The baseline's bar has a color of its own.
func writeBarRow(ew *errWriter, name string, baseline bool, fraction float64, figure, unit string, p Palette) {
	color := p.Bar
	if baseline {
		color = p.Baseline
	}
	bar := Bar(fraction, BarWidth)
	ew.printf("  %s %s %s %s\n", name, paint(color, bar),
		pad("", BarWidth-utf8.RuneCountInString(bar))+figure, paint(p.Dim, unit))
}
