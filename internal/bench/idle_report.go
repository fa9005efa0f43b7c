package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteIdle prints an idle comparison: a header, a table with one row per
// server (its RSS empty and holding the connections, the bytes per
// connection, the ratio to the baseline's, and the connections lost),
// each from the server's median round, then a bar chart of the bytes per
// connection. Where memory could not be read, it says why, once.
func WriteIdle(w io.Writer, res IdleResult, p Palette) error {
	ew := &errWriter{w: w}
	names := make([]string, len(res.Servers))
	nameWidth := len("server")
	for i, s := range res.Servers {
		names[i] = s.Name
		nameWidth = max(nameWidth, utf8.RuneCountInString(s.Name))
	}
	rounds := plural(res.Rounds, "round")
	if res.Rounds > 1 {
		rounds += ", the median round shown"
	}
	ew.printf("%s  %s\n\n", paint(p.Title, "Idle memory "+strings.Join(names, ", ")),
		paint(p.Dim, fmt.Sprintf("%s held after a GET %s each, %s",
			plural(res.Conns, "keep-alive connection"), res.Path, rounds)))

	idleHead := "RSS " + thousands(int64(res.Conns)) + " idle"
	ratioHead := "vs " + res.Baseline
	if res.Baseline == "" {
		ratioHead = "ratio"
	}
	idleWidth, ratioWidth := max(len(idleHead), 10), max(len(ratioHead), 6)
	ew.printf("  %s\n", paint(p.Label, fmt.Sprintf("%-*s  %10s  %*s  %10s  %*s  %6s",
		nameWidth, "server", "RSS empty", idleWidth, idleHead, "per conn", ratioWidth, ratioHead, "lost")))
	rssErr := ""
	for _, s := range res.Servers {
		name := pad(s.Name, nameWidth)
		if !s.Measured() {
			writeUnmeasured(ew, name, s.Skipped, s.Failed, p)
			continue
		}
		lost := count(int64(s.Lost()), 6, p.Bad)
		m, ok := s.Median()
		if !ok {
			rssErr = s.Rounds[0].RSSError
			ew.printf("  %s  %10s  %*s  %10s  %*s  %s\n", name, "-", idleWidth, "-", "-", ratioWidth, "-", lost)
		} else {
			ratio := "-"
			if r, ok := res.Ratio(s); ok {
				ratio = fmt.Sprintf("%.2f×", r)
			}
			ew.printf("  %s  %10s  %*s  %10s  %*s  %s\n", name, FormatBytes(float64(m.EmptyRSS)),
				idleWidth, FormatBytes(float64(m.IdleRSS)), FormatBytes(m.PerConn()), ratioWidth, ratio, lost)
		}
		if s.Failed != "" {
			ew.printf("  %s %s\n", pad("", nameWidth), paint(p.Bad, "failed: "+s.Failed))
		}
	}
	ew.printf("  %s\n", paint(p.Dim, fmt.Sprintf("per conn = (RSS idle - RSS empty) / %s; lost = connections whose second GET failed",
		thousands(int64(res.Conns)))))
	if rssErr != "" {
		ew.printf("  %s\n", paint(p.Warn, "RSS not measured: "+strings.TrimPrefix(rssErr, "bench: ")))
	}

	var top float64
	for _, s := range res.Servers {
		if m, ok := s.Median(); ok {
			top = max(top, m.PerConn())
		}
	}
	if top > 0 {
		ew.printf("\n")
		for _, s := range res.Servers {
			m, ok := s.Median()
			if !ok {
				continue
			}
			writeBarRow(ew, pad(s.Name, nameWidth), s.Name == res.Baseline, m.PerConn()/top,
				FormatBytes(m.PerConn()), "per idle connection", p)
		}
	}
	return ew.err
}

// FormatBytes shows a size in bytes with three significant digits in the
// binary unit that suits it: 950 B, 6.12 KiB, 185 MiB, 1.20 GiB. A
// negative size (noise in a difference) keeps its sign.
func FormatBytes(b float64) string {
	sign := ""
	if b < 0 {
		sign, b = "-", -b
	}
	units := []struct {
		name string
		size float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if b >= u.size {
			return sign + sigFigs(b/u.size) + " " + u.name
		}
	}
	return sign + strconv.FormatInt(int64(math.Round(b)), 10) + " B"
}

// jsonIdleRound is one idle measurement; the sizes are in bytes, absent
// when memory could not be read.
type jsonIdleRound struct {
	PID         int      `json:"pid"`
	EmptyRSS    *int64   `json:"rss_empty_bytes,omitempty"`
	IdleRSS     *int64   `json:"rss_idle_bytes,omitempty"`
	PerConn     *float64 `json:"bytes_per_conn,omitempty"`
	RSSError    string   `json:"rss_error,omitempty"`
	Lost        int      `json:"lost"`
	OpenSeconds float64  `json:"open_seconds"`
}

type jsonIdleServer struct {
	Name    string `json:"name"`
	Skipped string `json:"skipped,omitempty"`
	Failed  string `json:"failed,omitempty"`
	// Median is the round whose bytes per connection is the median.
	Median *jsonIdleRound `json:"median,omitempty"`
	// Ratio is the median's bytes per connection over the baseline's.
	Ratio  *float64        `json:"ratio,omitempty"`
	Rounds []jsonIdleRound `json:"rounds"`
}

type jsonIdle struct {
	Mode        string           `json:"mode"` // "idle"
	Connections int              `json:"connections"`
	Path        string           `json:"path"`
	Rounds      int              `json:"rounds"`
	Baseline    string           `json:"baseline,omitempty"`
	Servers     []jsonIdleServer `json:"servers"`
}

func toJSONIdleRound(r IdleRound) jsonIdleRound {
	j := jsonIdleRound{PID: r.PID, RSSError: r.RSSError, Lost: r.Lost, OpenSeconds: r.Open.Seconds()}
	if r.HasRSS() {
		empty, idle, per := r.EmptyRSS, r.IdleRSS, r.PerConn()
		j.EmptyRSS, j.IdleRSS, j.PerConn = &empty, &idle, &per
	}
	return j
}

// WriteIdleJSON writes an idle comparison as a JSON document.
func WriteIdleJSON(w io.Writer, res IdleResult) error {
	doc := jsonIdle{Mode: "idle", Connections: res.Conns, Path: res.Path, Rounds: res.Rounds, Baseline: res.Baseline,
		Servers: make([]jsonIdleServer, 0, len(res.Servers))}
	for _, s := range res.Servers {
		js := jsonIdleServer{Name: s.Name, Skipped: s.Skipped, Failed: s.Failed, Rounds: make([]jsonIdleRound, 0, len(s.Rounds))}
		if m, ok := s.Median(); ok {
			jm := toJSONIdleRound(m)
			js.Median = &jm
		}
		if r, ok := res.Ratio(s); ok {
			js.Ratio = &r
		}
		for _, r := range s.Rounds {
			js.Rounds = append(js.Rounds, toJSONIdleRound(r))
		}
		doc.Servers = append(doc.Servers, js)
	}
	return writeJSON(w, doc)
}
