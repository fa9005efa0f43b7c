package bench

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestParsePID(t *testing.T) {
	tests := []struct {
		body string
		want int
		ok   bool
	}{
		{"12345\n", 12345, true},
		{"  42 ", 42, true},
		{"Hello, World!", 0, false},
		{"0\n", 0, false},
		{"-3\n", -3, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		if got, ok := parsePID([]byte(tt.body)); ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parsePID(%q) = %d, %v, want %d, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

// idleRound returns a round of n connections that took perConn bytes
// each above an empty RSS of 10 MiB.
func idleRound(n int, perConn int64) IdleRound {
	return IdleRound{Conns: n, PID: 1, EmptyRSS: 10 << 20, IdleRSS: 10<<20 + int64(n)*perConn}
}

func withLost(r IdleRound, lost int) IdleRound {
	r.Lost = lost
	return r
}

func TestIdleRoundPerConn(t *testing.T) {
	if got := idleRound(10000, 6144).PerConn(); got != 6144 {
		t.Errorf("PerConn = %v, want 6144", got)
	}
	r := IdleRound{Conns: 4, EmptyRSS: 1000, IdleRSS: 998} // noise: RSS fell
	if got := r.PerConn(); got != -0.5 {
		t.Errorf("PerConn of a falling RSS = %v, want -0.5", got)
	}
	r = IdleRound{Conns: 10, RSSError: "no /proc"}
	if r.HasRSS() || r.PerConn() != 0 {
		t.Errorf("a round without RSS: HasRSS %v, PerConn %v, want false, 0", r.HasRSS(), r.PerConn())
	}
}

func TestIdleServerMedian(t *testing.T) {
	noRSS := IdleRound{Conns: 100, RSSError: "no /proc", Lost: 2}
	tests := []struct {
		name   string
		rounds []IdleRound
		want   float64 // PerConn of the median round
		ok     bool
	}{
		{"one", []IdleRound{idleRound(100, 5000)}, 5000, true},
		{"odd", []IdleRound{idleRound(100, 9000), idleRound(100, 5000), idleRound(100, 7000)}, 7000, true},
		{"even: the lower middle", []IdleRound{idleRound(100, 4000), idleRound(100, 8000), idleRound(100, 1000), idleRound(100, 6000)}, 4000, true},
		{"rounds without RSS left out", []IdleRound{noRSS, idleRound(100, 3000), noRSS}, 3000, true},
		{"no RSS at all", []IdleRound{noRSS}, 0, false},
		{"no rounds", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := IdleServer{Rounds: tt.rounds}.Median()
			if ok != tt.ok || m.PerConn() != tt.want {
				t.Errorf("Median() = %v per conn, %v, want %v, %v", m.PerConn(), ok, tt.want, tt.ok)
			}
		})
	}
	if got := (IdleServer{Rounds: []IdleRound{noRSS, noRSS, idleRound(1, 1)}}).Lost(); got != 4 {
		t.Errorf("Lost() = %d, want 4, over every round", got)
	}
}

func TestIdleRatio(t *testing.T) {
	res := IdleResult{Baseline: "net/http", Servers: []IdleServer{
		{Name: "final", Rounds: []IdleRound{idleRound(100, 6000), idleRound(100, 5000), idleRound(100, 9000)}},
		{Name: "net/http", Rounds: []IdleRound{idleRound(100, 18000)}},
		{Name: "ch04", Failed: "did not start"},
	}}
	if r, ok := res.Ratio(res.Servers[0]); !ok || r != 6000.0/18000 {
		t.Errorf("Ratio(final) = %v, %v, want %v: median over the baseline's", r, ok, 6000.0/18000)
	}
	if r, ok := res.Ratio(res.Servers[1]); !ok || r != 1 {
		t.Errorf("Ratio(baseline) = %v, %v, want 1", r, ok)
	}
	if _, ok := res.Ratio(res.Servers[2]); ok {
		t.Errorf("Ratio(failed server) ok, want no ratio")
	}
	// A baseline whose RSS did not grow gives no ratio, not a division
	// by zero.
	res.Servers[1].Rounds = []IdleRound{idleRound(100, 0)}
	if _, ok := res.Ratio(res.Servers[0]); ok {
		t.Errorf("Ratio against a baseline of 0 bytes per connection ok, want no ratio")
	}
	res.Baseline = ""
	if _, ok := res.Ratio(res.Servers[0]); ok {
		t.Errorf("Ratio without a baseline ok, want no ratio")
	}
}

func TestCompareIdleConfigErrors(t *testing.T) {
	a := Target{Name: "a", Command: func(int) []string { return []string{"true"} }}
	tests := []struct {
		name string
		ic   IdleConfig
		want string
	}{
		{"no targets", IdleConfig{Conns: 10}, "nothing to compare"},
		{"no connections", IdleConfig{Targets: []Target{a}}, "--idle 0: use 1 to 50000"},
		{"too many connections", IdleConfig{Targets: []Target{a}, Conns: MaxIdle + 1}, "--idle 50001: use 1 to 50000"},
		{"too many rounds", IdleConfig{Targets: []Target{a}, Conns: 10, Rounds: MaxRounds + 1}, "--rounds"},
		{"bad path", IdleConfig{Targets: []Target{a}, Conns: 10, Path: "x"}, "--path"},
		{"a target twice", IdleConfig{Targets: []Target{a, a}, Conns: 10}, "twice"},
		{"no command", IdleConfig{Targets: []Target{{Name: "x"}}, Conns: 10}, "no command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompareIdle(context.Background(), tt.ic)
			if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CompareIdle(%s) = %v, want ErrBadConfig saying %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestRaiseFileLimitTooLow(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the limit on open files is not checked on " + runtime.GOOS)
	}
	// More than any hard limit: a clear error, before any server starts.
	err := raiseFileLimit(1 << 62)
	if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "hard limit") {
		t.Errorf("raiseFileLimit(huge) = %v, want ErrBadConfig naming the hard limit", err)
	}
	if err := raiseFileLimit(10); err != nil {
		t.Errorf("raiseFileLimit(10) = %v, want nil", err)
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		b    float64
		want string
	}{
		{0, "0 B"},
		{950, "950 B"},
		{1024, "1.00 KiB"},
		{6144, "6.00 KiB"},
		{18.5 * 1024, "18.5 KiB"},
		{185 << 20, "185 MiB"},
		{1.2 * (1 << 30), "1.20 GiB"},
		{-512, "-512 B"},
		{-2048, "-2.00 KiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.b); got != tt.want {
			t.Errorf("FormatBytes(%v) = %q, want %q", tt.b, got, tt.want)
		}
	}
}

// sampleIdle is an idle comparison with every kind of row.
func sampleIdle() IdleResult {
	return IdleResult{Conns: 10000, Path: "/", Rounds: 3, Baseline: "net/http", Servers: []IdleServer{
		{Name: "final", Rounds: []IdleRound{idleRound(10000, 6144), idleRound(10000, 6000), idleRound(10000, 7000)}},
		{Name: "ch04", Failed: "round 1: warm-up GET /: the response closes the connection"},
		{Name: "ch09", Skipped: "not written yet"},
		{Name: "net/http", Rounds: []IdleRound{idleRound(10000, 18432), withLost(idleRound(10000, 20000), 3)}},
	}}
}

func ExampleWriteIdle() {
	WriteIdle(os.Stdout, sampleIdle(), Palette{})
	// Output:
	// Idle memory final, ch04, ch09, net/http  10,000 keep-alive connections held after a GET / each, 3 rounds, the median round shown
	//
	//   server     RSS empty  RSS 10,000 idle    per conn  vs net/http    lost
	//   final       10.0 MiB         68.6 MiB    6.00 KiB        0.33×       0
	//   ch04     failed: round 1: warm-up GET /: the response closes the connection
	//   ch09     skipped: not written yet
	//   net/http    10.0 MiB          186 MiB    18.0 KiB        1.00×       3
	//   per conn = (RSS idle - RSS empty) / 10,000; lost = connections whose second GET failed
	//
	//   final    █████████████▍                           6.00 KiB per idle connection
	//   net/http ████████████████████████████████████████ 18.0 KiB per idle connection
}

func TestWriteIdleWithoutRSS(t *testing.T) {
	res := IdleResult{Conns: 50, Path: "/", Rounds: 1, Baseline: "net/http", Servers: []IdleServer{
		{Name: "final", Rounds: []IdleRound{{Conns: 50, RSSError: "bench: reading another process's memory needs /proc (Linux), not darwin"}}},
		{Name: "net/http", Rounds: []IdleRound{{Conns: 50, RSSError: "bench: reading another process's memory needs /proc (Linux), not darwin", Lost: 1}}},
	}}
	var b strings.Builder
	if err := WriteIdle(&b, res, Palette{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "RSS not measured: reading another process's memory needs /proc (Linux), not darwin"); n != 1 {
		t.Errorf("WriteIdle says RSS was not measured %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "×") || strings.Contains(out, "█") {
		t.Errorf("WriteIdle without RSS shows a ratio or a bar:\n%s", out)
	}
}

func TestWriteIdleJSON(t *testing.T) {
	var b strings.Builder
	if err := WriteIdleJSON(&b, sampleIdle()); err != nil {
		t.Fatal(err)
	}
	type round struct {
		EmptyRSS *int64   `json:"rss_empty_bytes"`
		IdleRSS  *int64   `json:"rss_idle_bytes"`
		PerConn  *float64 `json:"bytes_per_conn"`
		Lost     int
	}
	var doc struct {
		Mode        string
		Connections int
		Rounds      int
		Baseline    string
		Servers     []struct {
			Name    string
			Failed  string
			Skipped string
			Median  *round
			Ratio   *float64
			Rounds  []round
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("WriteIdleJSON wrote invalid JSON: %v\n%s", err, b.String())
	}
	if doc.Mode != "idle" || doc.Connections != 10000 || doc.Rounds != 3 || doc.Baseline != "net/http" || len(doc.Servers) != 4 {
		t.Fatalf("document = %+v, want mode idle, 10000 connections, 3 rounds, 4 servers", doc)
	}
	final, ch04, ch09, base := doc.Servers[0], doc.Servers[1], doc.Servers[2], doc.Servers[3]
	if final.Median == nil || *final.Median.PerConn != 6144 || *final.Median.EmptyRSS != 10<<20 ||
		final.Ratio == nil || *final.Ratio != 6144.0/18432 || len(final.Rounds) != 3 {
		t.Errorf("final = %+v, want the median round (6144 B/conn), its ratio, 3 rounds", final)
	}
	if ch04.Failed == "" || ch04.Median != nil || ch04.Ratio != nil || ch09.Skipped == "" {
		t.Errorf("ch04 = %+v, ch09 = %+v, want failed and skipped without figures", ch04, ch09)
	}
	if base.Ratio == nil || *base.Ratio != 1 || base.Rounds[1].Lost != 3 {
		t.Errorf("net/http = %+v, want ratio 1 and its second round's 3 lost", base)
	}
}

func TestIdleLine(t *testing.T) {
	if got, want := idleLine(idleRound(10000, 6144)), "RSS 10.0 MiB empty, 68.6 MiB with 10,000 idle: 6.00 KiB per connection  lost 0"; got != want {
		t.Errorf("idleLine = %q, want %q", got, want)
	}
	if got := idleLine(IdleRound{Conns: 50, RSSError: "x", Lost: 1}); got != "50 connections held, RSS not measured  lost 1" {
		t.Errorf("idleLine without RSS = %q", got)
	}
}
