package book

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// comparisonJSON is a comparison as `learn bench --compare --json`
// prints it: ch05 measured, ch09 skipped, net/http the baseline.
const comparisonJSON = `{
  "mode": "compare",
  "load": {"connections": 50, "seconds": 3, "keep_alive": true, "pipeline": 1, "path": "/"},
  "rounds": 3,
  "baseline": "net/http",
  "servers": [
    {"name": "ch05", "median_requests_per_second": 41234.5, "ratio": 0.82,
     "total": {"requests": 1, "errors": 0, "non_2xx": 0, "seconds": 9, "requests_per_second": 1,
               "latency_ms": {"p50": 1, "p90": 2, "p99": 4.56, "max": 9, "mean": 1.2}}, "rounds": []},
    {"name": "ch09", "skipped": "not written yet", "median_requests_per_second": 0, "rounds": []},
    {"name": "net/http", "median_requests_per_second": 50321, "ratio": 1,
     "total": {"requests": 1, "errors": 0, "non_2xx": 0, "seconds": 9, "requests_per_second": 1,
               "latency_ms": {"p50": 1, "p90": 2, "p99": 3.21, "max": 9, "mean": 1.1}}, "rounds": []}
  ]
}`

// svgDoc is what the tests read of a chart.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	Title   string   `xml:"title"`
	Rows    []struct {
		Class string `xml:"class,attr"`
		Texts []struct {
			Class string `xml:"class,attr"`
			Text  string `xml:",chardata"`
		} `xml:"text"`
		Rect *struct {
			Width string `xml:"width,attr"`
		} `xml:"rect"`
	} `xml:"g"`
}

func TestChart(t *testing.T) {
	c := chart{Title: "req/s", Bars: []bar{
		{Label: "ch04", Value: 100, Text: "100 req/s"},
		{Label: "<final>", Value: 400, Text: "400 req/s"},
		{Label: "ch09", Note: "skipped: not written yet"},
		{Label: "net/http", Value: 200, Text: "200 req/s", Baseline: true},
	}}
	svg, err := c.svg()
	if err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the chart is not XML: %v\n%s", err, svg)
	}
	if len(doc.Rows) != 4 {
		t.Fatalf("%d rows, want 4 (one per server)", len(doc.Rows))
	}
	bars := 0
	for _, r := range doc.Rows {
		if r.Rect != nil {
			bars++
		}
	}
	if bars != 3 {
		t.Errorf("%d bars, want 3: one per measured server", bars)
	}
	width := func(i int) string { return doc.Rows[i].Rect.Width }
	if width(1) != "342.0" || width(0) != "85.5" || width(3) != "171.0" {
		t.Errorf("bar widths %s, %s, %s: want the longest value full width (342) and the others in proportion", width(0), width(1), width(3))
	}
	if got := doc.Rows[1].Texts; got[0].Text != "<final>" || got[1].Text != "400 req/s" {
		t.Errorf("row 2 texts %+v, want label <final> and value 400 req/s", got)
	}
	if doc.Rows[2].Texts[1].Class != "note" || doc.Rows[2].Texts[1].Text != "skipped: not written yet" {
		t.Errorf("a skipped server is not noted: %+v", doc.Rows[2])
	}
	if doc.Rows[3].Class != "row baseline" {
		t.Errorf("net/http row class %q, want the baseline marked", doc.Rows[3].Class)
	}
}

func TestNumbers(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{thousands(0), "0"}, {thousands(999.6), "1,000"}, {thousands(1234567), "1,234,567"}, {thousands(-1234), "-1,234"},
		{millis(0.1234), "0.123 ms"}, {millis(4.567), "4.57 ms"}, {millis(45.67), "45.7 ms"}, {millis(1234.5), "1,235 ms"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestBenchPage(t *testing.T) {
	b, dir := newBook(t)
	_, _, empty := get(t, b, "/bench")
	if !strings.Contains(empty, "No comparison yet") || strings.Contains(empty, "<svg") {
		t.Errorf("/bench without results does not say how to make one")
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range KeepRuns + 2 {
		run := BenchRun{At: at.Add(time.Duration(i) * time.Minute), Command: []string{"bench", "--compare", fmt.Sprintf("ch05,ch09,net/http-%d", i)}, Comparison: []byte(comparisonJSON)}
		if err := SaveBench(dir, run); err != nil {
			t.Fatal(err)
		}
	}
	h, err := loadBench(dir)
	if err != nil || len(h.Runs) != KeepRuns {
		t.Fatalf("kept %d runs (%v), want %d", len(h.Runs), err, KeepRuns)
	}
	status, _, page := get(t, b, "/bench")
	if status != 200 {
		t.Fatalf("GET /bench: %d", status)
	}
	for _, w := range []string{
		"learn bench --compare ch05,ch09,net/http-11",
		"50 connections, keep-alive, 3 rounds of 3s each",
		"41,235 req/s · 0.82×", "50,321 req/s", "4.56 ms", "3.21 ms", "skipped: not written yet",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("/bench lacks %q", w)
		}
	}
	if strings.Contains(page, "net/http-1<") || strings.Contains(page, "net/http-0<") {
		t.Errorf("/bench shows runs older than the last %d", KeepRuns)
	}
	if n := strings.Count(page, `<svg `); n != 2*KeepRuns {
		t.Errorf("/bench has %d charts, want 2 per run", n)
	}
	if first, last := strings.Index(page, "net/http-11"), strings.Index(page, "net/http-2<"); first > last {
		t.Errorf("/bench does not show the newest run first")
	}
	// Each chart is well-formed XML with a bar per measured server.
	rest := page
	for {
		i := strings.Index(rest, "<svg ")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>") + i + len("</svg>")
		var doc svgDoc
		if err := xml.Unmarshal([]byte(rest[i:j]), &doc); err != nil {
			t.Fatalf("a chart is not XML: %v", err)
		}
		if len(doc.Rows) != 3 {
			t.Errorf("chart %q has %d rows, want 3", doc.Title, len(doc.Rows))
		}
		rest = rest[j:]
	}
}

func TestBenchFileBroken(t *testing.T) {
	b, dir := newBook(t)
	if err := os.WriteFile(filepath.Join(dir, BenchFile), []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, page := get(t, b, "/bench")
	if status != 200 || !strings.Contains(page, "read bench results") {
		t.Errorf("/bench with a broken file: %d, no warning", status)
	}
	// Saving starts the file afresh.
	if err := SaveBench(dir, BenchRun{Command: []string{"bench"}, Comparison: []byte(comparisonJSON)}); err != nil {
		t.Fatal(err)
	}
	if h, err := loadBench(dir); err != nil || len(h.Runs) != 1 {
		t.Errorf("after saving over a broken file: %d runs, %v", len(h.Runs), err)
	}
	if err := SaveBench(dir, BenchRun{Comparison: []byte("{")}); err == nil {
		t.Errorf("SaveBench kept a comparison that is not JSON")
	}
}
