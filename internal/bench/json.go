package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The JSON documents --json prints. Times are in seconds, latencies in
// milliseconds, both as floats, so a script needs no unit parsing.

// jsonLoad is the load a run applied.
type jsonLoad struct {
	Connections int     `json:"connections"`
	Seconds     float64 `json:"seconds,omitempty"`
	Requests    int64   `json:"requests,omitempty"`
	KeepAlive   bool    `json:"keep_alive"`
	Pipeline    int     `json:"pipeline"`
	Path        string  `json:"path"`
}

// jsonLatency holds latency figures in milliseconds.
type jsonLatency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// jsonResult is one measurement.
type jsonResult struct {
	Requests          int64       `json:"requests"`
	Errors            int64       `json:"errors"`
	Non2xx            int64       `json:"non_2xx"`
	Seconds           float64     `json:"seconds"`
	RequestsPerSecond float64     `json:"requests_per_second"`
	LatencyMS         jsonLatency `json:"latency_ms"`
	// ServerCPUSeconds is the server's CPU time during a comparison's
	// measurement (Linux); absent when unknown.
	ServerCPUSeconds *float64 `json:"server_cpu_seconds,omitempty"`
}

type jsonRun struct {
	Mode   string     `json:"mode"` // "run"
	URL    string     `json:"url"`
	Load   jsonLoad   `json:"load"`
	Result jsonResult `json:"result"`
}

type jsonServer struct {
	Name      string   `json:"name"`
	Skipped   string   `json:"skipped,omitempty"`
	Failed    string   `json:"failed,omitempty"`
	MedianRPS float64  `json:"median_requests_per_second"`
	Ratio     *float64 `json:"ratio,omitempty"` // to the baseline's median
	// MedianCPUPerRequestUS is the median round's server CPU time per
	// request, in microseconds; absent when unknown.
	MedianCPUPerRequestUS *float64 `json:"median_cpu_per_request_us,omitempty"`
	// Total adds up the rounds; its latency is over every round's samples.
	Total  *jsonResult  `json:"total,omitempty"`
	Rounds []jsonResult `json:"rounds"`
}

type jsonCompare struct {
	Mode     string       `json:"mode"` // "compare"
	Load     jsonLoad     `json:"load"`
	Rounds   int          `json:"rounds"`
	Baseline string       `json:"baseline,omitempty"`
	Servers  []jsonServer `json:"servers"`
}

func toJSONLoad(cfg Config) jsonLoad {
	cfg = cfg.withDefaults()
	return jsonLoad{
		Connections: cfg.Connections,
		Seconds:     cfg.Duration.Seconds(),
		Requests:    cfg.Requests,
		KeepAlive:   !cfg.NoKeepAlive,
		Pipeline:    cfg.Pipeline,
		Path:        cfg.Path,
	}
}

func toJSONResult(r Result) jsonResult {
	h := r.Latency
	if h == nil {
		h = NewHistogram()
	}
	return jsonResult{
		Requests:          r.Requests,
		Errors:            r.Errors,
		Non2xx:            r.Non2xx,
		Seconds:           r.Elapsed.Seconds(),
		RequestsPerSecond: r.RequestsPerSecond(),
		LatencyMS: jsonLatency{
			P50:  ms(h.Percentile(50)),
			P90:  ms(h.Percentile(90)),
			P99:  ms(h.Percentile(99)),
			Max:  ms(h.Max()),
			Mean: ms(h.Mean()),
		},
		ServerCPUSeconds: positive(r.ServerCPU.Seconds()),
	}
}

// positive returns &x, or nil when x is not positive: a figure that was
// not measured is left out of the JSON.
func positive(x float64) *float64 {
	if x <= 0 {
		return nil
	}
	return &x
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteRunJSON writes one run as a JSON document.
func WriteRunJSON(w io.Writer, url string, cfg Config, r Result) error {
	return writeJSON(w, jsonRun{Mode: "run", URL: url, Load: toJSONLoad(cfg), Result: toJSONResult(r)})
}

// WriteComparisonJSON writes a comparison as a JSON document.
func WriteComparisonJSON(w io.Writer, cfg CompareConfig, res CompareResult) error {
	doc := jsonCompare{Mode: "compare", Load: toJSONLoad(cfg.Load), Rounds: res.Rounds, Baseline: res.Baseline,
		Servers: make([]jsonServer, 0, len(res.Servers))}
	for _, s := range res.Servers {
		js := jsonServer{Name: s.Name, Skipped: s.Skipped, Failed: s.Failed, MedianRPS: s.MedianRPS(),
			MedianCPUPerRequestUS: positive(float64(s.MedianCPUPerRequest()) / float64(time.Microsecond)),
			Rounds:                make([]jsonResult, 0, len(s.Rounds))}
		if r, ok := res.Ratio(s); ok {
			js.Ratio = &r
		}
		if s.Measured() {
			t := toJSONResult(s.Total())
			js.Total = &t
		}
		for _, r := range s.Rounds {
			js.Rounds = append(js.Rounds, toJSONResult(r))
		}
		doc.Servers = append(doc.Servers, js)
	}
	return writeJSON(w, doc)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("bench: write JSON: %w", err)
	}
	return nil
}
