package bench

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// latencies returns a histogram of n samples spread evenly up to top.
func latencies(n int, top time.Duration) *Histogram {
	h := NewHistogram()
	for i := 1; i <= n; i++ {
		h.Record(top * time.Duration(i) / time.Duration(n))
	}
	return h
}

// sampleComparison is a comparison with every kind of row: measured,
// skipped, failed to start, and the baseline.
func sampleComparison() (CompareConfig, CompareResult) {
	h := latencies(100, 2*time.Millisecond)
	one := NewHistogram()
	one.Record(time.Millisecond)
	cc := CompareConfig{Load: Config{Duration: 3 * time.Second}, Baseline: "net/http"}
	res := CompareResult{Rounds: 3, Baseline: "net/http", Servers: []ServerResult{
		{Name: "ch04", Rounds: []Result{
			{Requests: 30000, Elapsed: time.Second, Latency: h, ServerCPU: 1500 * time.Millisecond},
			{Requests: 31000, Elapsed: time.Second, Latency: h, ServerCPU: 1240 * time.Millisecond},
			{Requests: 29000, Elapsed: time.Second, Latency: h, ServerCPU: 1595 * time.Millisecond},
		}},
		{Name: "ch05", Skipped: "not written yet"},
		{Name: "final", Failed: "did not start: nothing accepted on 127.0.0.1:9 within 10s"},
		{Name: "net/http", Rounds: []Result{{Requests: 40000, Errors: 3, Elapsed: time.Second, Latency: one, ServerCPU: 800 * time.Millisecond}}},
	}}
	return cc, res
}

func ExampleWriteSummary() {
	r := Result{Requests: 123456, Errors: 2, Non2xx: 7, Elapsed: 5010 * time.Millisecond,
		Latency: latencies(100, 2*time.Millisecond)}
	WriteSummary(os.Stdout, "http://127.0.0.1:8080/", Config{Addr: "127.0.0.1:8080"}, r, Palette{})
	// Output:
	// GET http://127.0.0.1:8080/  50 connections, keep-alive, 5s
	//
	//   requests   123,456 in 5.01s
	//   req/s      24,642
	//   latency    p50 1.00ms   p90 1.80ms   p99 1.98ms   max 2.00ms
	//   errors     2
	//   non-2xx    7
}

func ExampleWriteComparison() {
	cc, res := sampleComparison()
	WriteComparison(os.Stdout, cc, res, Palette{})
	// Output:
	// Compare ch04, ch05, final, net/http  50 connections, keep-alive, 3 rounds of 3s each
	//
	//   server        req/s vs net/http       p50       p99   CPU/req   errors  non-2xx
	//   ch04         30,000       0.75×    1.00ms    1.98ms    50.0µs        0        0
	//   ch05     skipped: not written yet
	//   final    failed: did not start: nothing accepted on 127.0.0.1:9 within 10s
	//   net/http     40,000       1.00×    1.00ms    1.00ms    20.0µs        3        0
	//
	//   ch04     ██████████████████████████████           30,000 req/s
	//   net/http ████████████████████████████████████████ 40,000 req/s
}

// TestWriteComparisonColors checks that colors go through the Palette,
// and only around padded cells, so columns stay aligned.
func TestWriteComparisonColors(t *testing.T) {
	cc, res := sampleComparison()
	tag := func(name string) func(string) string {
		return func(s string) string { return "<" + name + ">" + s + "</" + name + ">" }
	}
	p := Palette{Title: tag("title"), Label: tag("label"), Bad: tag("bad"), Warn: tag("warn"),
		Dim: tag("dim"), Bar: tag("bar"), Baseline: tag("base")}
	var b strings.Builder
	if err := WriteComparison(&b, cc, res, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"<title>Compare ch04, ch05, final, net/http</title>",
		"<warn>skipped: not written yet</warn>",
		"<bad>failed: did not start",
		"<bad>       3</bad>", // errors, padded then colored
		"<bar>██████████████████████████████</bar>",
		"<base>████████████████████████████████████████</base>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteComparison output lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteComparisonWithoutBaseline(t *testing.T) {
	cc, res := sampleComparison()
	res.Servers = res.Servers[:1]
	var b strings.Builder
	if err := WriteComparison(&b, cc, res, Palette{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "×") {
		t.Errorf("WriteComparison without a measured baseline shows a ratio:\n%s", b.String())
	}
}

func TestWriteComparisonJSON(t *testing.T) {
	cc, res := sampleComparison()
	var b strings.Builder
	if err := WriteComparisonJSON(&b, cc, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Mode    string
		Rounds  int
		Servers []struct {
			Name      string
			Skipped   string
			Failed    string
			MedianRPS float64  `json:"median_requests_per_second"`
			Ratio     *float64 `json:"ratio"`
			Total     *struct {
				Requests  int64
				Errors    int64
				LatencyMS struct{ P50, P99 float64 } `json:"latency_ms"`
			}
			Rounds []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("WriteComparisonJSON wrote invalid JSON: %v\n%s", err, b.String())
	}
	if doc.Mode != "compare" || doc.Rounds != 3 || len(doc.Servers) != 4 {
		t.Fatalf("document = %+v, want mode compare, 3 rounds, 4 servers", doc)
	}
	ch04, ch05, final, base := doc.Servers[0], doc.Servers[1], doc.Servers[2], doc.Servers[3]
	if ch04.MedianRPS != 30000 || ch04.Ratio == nil || *ch04.Ratio != 0.75 || len(ch04.Rounds) != 3 ||
		ch04.Total == nil || ch04.Total.Requests != 90000 || ch04.Total.LatencyMS.P50 < 0.99 || ch04.Total.LatencyMS.P50 > 1.01 {
		t.Errorf("ch04 = %+v, want median 30000, ratio 0.75, 3 rounds, 90000 requests, p50 about 1ms", ch04)
	}
	if ch05.Skipped != "not written yet" || ch05.Ratio != nil || ch05.Total != nil {
		t.Errorf("ch05 = %+v, want skipped, no ratio, no total", ch05)
	}
	if !strings.HasPrefix(final.Failed, "did not start") {
		t.Errorf("final = %+v, want failed", final)
	}
	if base.Total == nil || base.Total.Errors != 3 || *base.Ratio != 1 {
		t.Errorf("net/http = %+v, want 3 errors and ratio 1", base)
	}
}

func TestWriteRunJSON(t *testing.T) {
	r := Result{Requests: 1000, Non2xx: 5, Elapsed: 2 * time.Second, Latency: latencies(1000, 10*time.Millisecond)}
	var b strings.Builder
	if err := WriteRunJSON(&b, "http://127.0.0.1:8080/", Config{Addr: "127.0.0.1:8080", Requests: 1000, Pipeline: 4}, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Mode string
		URL  string
		Load struct {
			Connections int
			Requests    int64
			Seconds     float64
			KeepAlive   bool `json:"keep_alive"`
			Pipeline    int
		}
		Result struct {
			Requests int64
			Non2xx   int64                                `json:"non_2xx"`
			RPS      float64                              `json:"requests_per_second"`
			Latency  struct{ P50, P90, P99, Max float64 } `json:"latency_ms"`
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("WriteRunJSON wrote invalid JSON: %v\n%s", err, b.String())
	}
	if doc.Mode != "run" || doc.URL != "http://127.0.0.1:8080/" || doc.Load.Requests != 1000 || doc.Load.Seconds != 0 ||
		!doc.Load.KeepAlive || doc.Load.Pipeline != 4 || doc.Load.Connections != DefaultConnections {
		t.Errorf("document = %+v, want the run's load", doc)
	}
	lat := doc.Result.Latency
	if doc.Result.Requests != 1000 || doc.Result.Non2xx != 5 || doc.Result.RPS != 500 || lat.Max != 10 ||
		!(lat.P50 < lat.P90 && lat.P90 < lat.P99 && lat.P99 <= lat.Max) {
		t.Errorf("result = %+v, want 1000 requests, 5 non-2xx, 500 req/s, ordered percentiles up to 10ms", doc.Result)
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		frac  float64
		width int
		want  string
	}{
		{0, 10, ""},
		{1, 4, "████"},
		{0.5, 4, "██"},
		{0.5 + 1.0/32, 4, "██▏"}, // 2.125 cells: 17 eighths
		{0.7, 1, "▊"},            // 5.6 eighths round to 6/8
		{0.001, 10, "▏"},         // above zero shows something
		{2, 3, "███"},            // clamped
		{-1, 3, ""},
	}
	for _, tt := range tests {
		if got := Bar(tt.frac, tt.width); got != tt.want {
			t.Errorf("Bar(%v, %d) = %q, want %q", tt.frac, tt.width, got, tt.want)
		}
	}
}

func TestFormatLatency(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0ns"},
		{950, "950ns"},
		{1500, "1.50µs"},
		{12345, "12.3µs"},
		{123456, "123µs"},
		{1520 * time.Microsecond, "1.52ms"},
		{2 * time.Second, "2.00s"},
		{150 * time.Second, "150s"},
	}
	for _, tt := range tests {
		if got := FormatLatency(tt.d); got != tt.want {
			t.Errorf("FormatLatency(%d) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {123456, "123,456"}, {-1234567, "-1,234,567"}}
	for _, tt := range tests {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "50 connections, keep-alive, 5s"},
		{Config{Connections: 1, Requests: 1, NoKeepAlive: true}, "1 connection, no keep-alive, 1 request"},
		{Config{Pipeline: 16, Duration: 30 * time.Second}, "50 connections, keep-alive, pipeline 16, 30s"},
	}
	for _, tt := range tests {
		if got := Describe(tt.cfg); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

func TestProgressLines(t *testing.T) {
	// Off a terminal, a comparison prints one line per measurement and a
	// single run prints nothing.
	var b strings.Builder
	p := NewProgress(&b, false)
	if f := p.ForRun(Config{}); f != nil {
		t.Errorf("ForRun off a terminal = non-nil, want nil")
	}
	h := latencies(10, time.Millisecond)
	p.Event(Event{Round: 1, Rounds: 3, Index: 1, Total: 3, Target: "ch04", Status: Status{Requests: 5}})
	p.Event(Event{Round: 1, Rounds: 3, Index: 1, Total: 3, Target: "ch04", Done: true,
		Result: Result{Requests: 3000, Elapsed: time.Second, Latency: h}})
	p.Event(Event{Round: 0, Rounds: 3, Index: 1, Total: 3, Target: "net/http", Done: true,
		Result: Result{Requests: 10, Errors: 1, Elapsed: time.Second, Latency: h}})
	p.Done()
	want := "round 1/3   ch04           3,000 req/s  p99 1.00ms   errors 0  non-2xx 0\n" +
		"warm-up     net/http          10 req/s  p99 1.00ms   errors 1  non-2xx 0\n"
	if b.String() != want {
		t.Errorf("progress lines:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestProgressBar(t *testing.T) {
	// On a terminal, the bar is drawn and cleared when done.
	var b strings.Builder
	p := NewProgress(&b, true)
	p.Event(Event{Round: 1, Rounds: 2, Index: 1, Total: 2, Target: "ch04", Fraction: 0.5, Overall: 0.25})
	p.Event(Event{Round: 2, Rounds: 2, Index: 2, Total: 2, Target: "ch04", Done: true, Fraction: 1, Overall: 1,
		Result: Result{Latency: NewHistogram()}})
	p.Done()
	if out := b.String(); !strings.Contains(out, "round 1/2") || !strings.Contains(out, "█") {
		t.Errorf("progress bar output %q, want a bar described with the round", out)
	}
	run := p.ForRun(Config{Duration: time.Second})
	run(Status{Elapsed: 500 * time.Millisecond, Requests: 1000})
	p.Done()
	if out := b.String(); !strings.Contains(out, "2,000 req/s") {
		t.Errorf("run progress bar output %q, want the rate so far", out)
	}
}
