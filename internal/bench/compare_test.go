//go:build unix

package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverEnv, when set, makes the test binary a server instead of running
// tests: the comparison tests start it as their targets. Its value is the
// mode: "ok" serves until SIGINT, "fail" exits at once with a message,
// "crash" exits with status 3 in the middle of its first request,
// "close" answers every request with Connection: close. In every mode
// but crash, GET /pid answers the process's id, as the demo app does.
const serverEnv = "BENCH_TEST_SERVER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(serverEnv); mode != "" {
		os.Exit(testServer(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testServer is the body of the helper process: args are the address to
// listen on and a file to write its pid to.
func testServer(mode string, args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ADDR PIDFILE")
		return 2
	}
	if err := os.WriteFile(args[1], []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if mode == "fail" {
		fmt.Fprintln(os.Stderr, "starting\nboom: cannot serve")
		return 1
	}
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case mode == "crash":
			fmt.Fprintln(os.Stderr, "crashing on purpose")
			os.Exit(3)
		case r.URL.Path == "/pid":
			fmt.Fprintf(w, "%d\n", os.Getpid())
			return
		case mode == "close":
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "Hello, World!")
	})}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testTarget returns a target that runs the test binary as a server in
// mode, and the file its pid lands in.
func testTarget(t *testing.T, name, mode string) (Target, string) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	return Target{
		Name: name,
		Command: func(port int) []string {
			return []string{os.Args[0], net.JoinHostPort(loopback, strconv.Itoa(port)), pidFile}
		},
		Env: []string{serverEnv + "=" + mode},
	}, pidFile
}

// checkGone fails the test if the process whose pid is in pidFile still
// exists: Compare must leave no server behind.
func checkGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("server never wrote its pid: %v", err)
	}
	pid, _ := strconv.Atoi(string(b))
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("server %d still exists after Compare (kill 0: %v)", pid, err)
	}
}

// shortLoad keeps a comparison test to about a second.
var shortLoad = Config{Connections: 2, Duration: 150 * time.Millisecond}

func TestCompare(t *testing.T) {
	a, pidA := testTarget(t, "a", "ok")
	b, pidB := testTarget(t, "b", "ok")
	skipped := Target{Name: "c", Skip: "not written yet"}
	var order []string
	var overall []float64
	cc := CompareConfig{
		Targets:  []Target{a, skipped, b},
		Load:     shortLoad,
		Rounds:   2,
		WarmUp:   100 * time.Millisecond,
		Baseline: "b",
		Events: func(e Event) {
			overall = append(overall, e.Overall)
			if e.Done {
				order = append(order, fmt.Sprintf("%d:%s", e.Round, e.Target))
			}
		},
	}
	res, err := Compare(context.Background(), cc)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	checkGone(t, pidA)
	checkGone(t, pidB)

	// Warm-ups (round 0) first, then each round in a rotated order.
	if want := []string{"0:a", "0:b", "1:a", "1:b", "2:b", "2:a"}; !slices.Equal(order, want) {
		t.Errorf("measurements in order %v, want %v", order, want)
	}
	if !slices.IsSorted(overall) || overall[len(overall)-1] != 1 {
		t.Errorf("Event.Overall went %v, want it to rise to 1", overall)
	}
	if len(res.Servers) != 3 {
		t.Fatalf("Compare returned %d servers, want 3", len(res.Servers))
	}
	for _, i := range []int{0, 2} {
		s := res.Servers[i]
		if len(s.Rounds) != 2 || s.Failed != "" || s.Skipped != "" {
			t.Errorf("server %s: %d rounds, failed %q, skipped %q, want 2 rounds", s.Name, len(s.Rounds), s.Failed, s.Skipped)
		}
		if tot := s.Total(); tot.Requests == 0 || tot.Errors != 0 || tot.Non2xx != 0 {
			t.Errorf("server %s: %d requests, %d errors, %d non-2xx, want some, 0, 0", s.Name, tot.Requests, tot.Errors, tot.Non2xx)
		}
	}
	if s := res.Servers[1]; s.Name != "c" || s.Skipped != "not written yet" || s.Measured() {
		t.Errorf("server c = %+v, want skipped and not measured", s)
	}
	if r, ok := res.Ratio(res.Servers[2]); !ok || r != 1 {
		t.Errorf("Ratio(baseline) = %v, %v, want 1, true", r, ok)
	}
	if r, ok := res.Ratio(res.Servers[0]); !ok || r <= 0 {
		t.Errorf("Ratio(a) = %v, %v, want > 0, true", r, ok)
	}
	if _, ok := res.Ratio(res.Servers[1]); ok {
		t.Errorf("Ratio(skipped) ok, want no ratio")
	}
}

func TestCompareServerDoesNotStart(t *testing.T) {
	bad, pid := testTarget(t, "bad", "fail")
	good, pidGood := testTarget(t, "good", "ok")
	res, err := Compare(context.Background(), CompareConfig{Targets: []Target{bad, good}, Load: shortLoad, Rounds: 1, WarmUp: -1})
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	checkGone(t, pid)
	checkGone(t, pidGood)
	if f := res.Servers[0].Failed; !strings.Contains(f, "did not start") || !strings.Contains(f, "boom: cannot serve") {
		t.Errorf("bad server Failed = %q, want it to say it did not start and what it printed last", f)
	}
	if !res.Servers[1].Measured() {
		t.Errorf("good server not measured: %+v", res.Servers[1])
	}
}

func TestCompareServerDies(t *testing.T) {
	crash, pid := testTarget(t, "crash", "crash")
	res, err := Compare(context.Background(), CompareConfig{Targets: []Target{crash}, Load: shortLoad, Rounds: 2, WarmUp: -1})
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	checkGone(t, pid)
	s := res.Servers[0]
	if !strings.Contains(s.Failed, "exited during round 1") || !strings.Contains(s.Failed, "crashing on purpose") {
		t.Errorf("Failed = %q, want it to say the server exited in round 1 and what it printed", s.Failed)
	}
	if s.Measured() {
		t.Errorf("server measured %d rounds, want none: a dead server's numbers mean nothing", len(s.Rounds))
	}
}

func TestCompareStopsOnCancel(t *testing.T) {
	a, pidA := testTarget(t, "a", "ok")
	b, pidB := testTarget(t, "b", "ok")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := CompareConfig{Targets: []Target{a, b}, Load: Config{Connections: 2, Duration: time.Minute}, WarmUp: -1,
		Events: func(e Event) { cancel() }} // Ctrl+C as the first measurement starts
	_, err := Compare(ctx, cc)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Compare = %v, want context.Canceled", err)
	}
	checkGone(t, pidA)
	checkGone(t, pidB)
}

func TestCompareConfigErrors(t *testing.T) {
	a, _ := testTarget(t, "a", "ok")
	tests := []struct {
		name string
		cc   CompareConfig
	}{
		{"no targets", CompareConfig{}},
		{"too many rounds", CompareConfig{Targets: []Target{a}, Rounds: MaxRounds + 1}},
		{"a target twice", CompareConfig{Targets: []Target{a, a}}},
		{"bad load", CompareConfig{Targets: []Target{a}, Load: Config{Pipeline: -1}}},
		{"no command", CompareConfig{Targets: []Target{{Name: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Compare(context.Background(), tt.cc); !errors.Is(err, ErrBadConfig) {
				t.Errorf("Compare(%s) = %v, want ErrBadConfig", tt.name, err)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{100, 1, 1}, 1},
	}
	for _, tt := range tests {
		if got := median(slices.Clone(tt.in)); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
