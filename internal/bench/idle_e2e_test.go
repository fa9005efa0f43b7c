//go:build unix

package bench

import (
	"context"
	"github.com/httpfromscratch/course/internal/proc"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCompareIdle(t *testing.T) {
	a, pidA := testTarget(t, "a", "ok")
	closing, pidClosing := testTarget(t, "closing", "close")
	skipped := Target{Name: "c", Skip: "not written yet"}
	var steps []string
	var overall []float64
	var done []Event
	ic := IdleConfig{
		Targets:  []Target{a, closing, skipped},
		Conns:    50,
		Rounds:   1,
		Timeout:  5 * time.Second,
		Baseline: "a",
		Events: func(e Event) {
			overall = append(overall, e.Overall)
			if e.Step != "" {
				steps = append(steps, e.Step)
			}
			if e.Done {
				done = append(done, e)
			}
		},
	}
	res, err := CompareIdle(context.Background(), ic)
	if err != nil {
		t.Fatalf("CompareIdle: %v", err)
	}
	checkGone(t, pidA)
	checkGone(t, pidClosing)

	if len(res.Servers) != 3 || res.Conns != 50 || res.Rounds != 1 || res.Path != "/" {
		t.Fatalf("CompareIdle = %+v, want 3 servers, 50 connections, 1 round, path /", res)
	}
	s := res.Servers[0]
	if s.Failed != "" || len(s.Rounds) != 1 {
		t.Fatalf("server a: failed %q, %d rounds, want 1 round", s.Failed, len(s.Rounds))
	}
	r := s.Rounds[0]
	if r.Conns != 50 || r.Lost != 0 || r.Open <= 0 {
		t.Errorf("server a: %d connections, %d lost, opened in %v, want 50, 0, > 0", r.Conns, r.Lost, r.Open)
	}
	if proc.Supported {
		// The test server answers GET /pid with its own pid, the one
		// started: its memory is what was read.
		if r.RSSError != "" || r.EmptyRSS <= 0 || r.IdleRSS <= 0 {
			t.Errorf("server a: RSS %d empty, %d idle, error %q, want both read", r.EmptyRSS, r.IdleRSS, r.RSSError)
		}
		if _, ok := s.Median(); !ok {
			t.Errorf("server a has no median round")
		}
	} else if !strings.Contains(r.RSSError, "/proc") {
		t.Errorf("server a: RSSError %q, want it to say memory needs /proc", r.RSSError)
	}

	c := res.Servers[1]
	if c.Measured() || !strings.Contains(c.Failed, "Connection: close") {
		t.Errorf("closing server: %d rounds, Failed %q, want none and a failure naming Connection: close", len(c.Rounds), c.Failed)
	}
	if s := res.Servers[2]; s.Skipped != "not written yet" || s.Measured() {
		t.Errorf("skipped server = %+v", s)
	}

	if len(done) != 2 || done[0].Idle == nil || done[0].Failed != "" || done[1].Idle != nil || done[1].Failed == "" {
		t.Errorf("Done events %+v, want a's with its round, then closing's with its failure", done)
	}
	if !slices.IsSorted(overall) || overall[len(overall)-1] != 1 {
		t.Errorf("Event.Overall went %v, want it to rise to 1", overall)
	}
	if !slices.ContainsFunc(steps, func(s string) bool { return s == "opening 50/50" }) ||
		!slices.ContainsFunc(steps, func(s string) bool { return s == "second GET 50/50" }) {
		t.Errorf("steps %q, want opening and second GET counted to 50/50", steps)
	}
}

func TestCompareIdleStopsOnCancel(t *testing.T) {
	a, pidA := testTarget(t, "a", "ok")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ic := IdleConfig{Targets: []Target{a}, Conns: 50, Rounds: 3,
		Events: func(e Event) {
			if strings.HasPrefix(e.Step, "opening") {
				cancel() // Ctrl+C while connections open
			}
		}}
	_, err := CompareIdle(ctx, ic)
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("CompareIdle = %v, want it stopped", err)
	}
	checkGone(t, pidA)
}
