package learn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/bench"
	"github.com/httpfromscratch/course/internal/book"
	"github.com/httpfromscratch/course/internal/stages"
)

// CompareDuration is how long each server is measured in each round of
// `learn bench --compare` when -d is not given: with the default three
// rounds, four servers are compared in well under a minute.
const CompareDuration = 3 * time.Second

// netHTTP names the plain net/http server in --compare lists, and is the
// baseline every ratio is taken against.
const netHTTP = "net/http"

// BenchCmd measures a running server, or compares the built-in stages
// and net/http, each serving the demo app in its own process.
type BenchCmd struct {
	URL         string        `name:"url" placeholder:"URL" help:"Server to measure, e.g. http://127.0.0.1:8080/ (instead of --host, --port, --path)."`
	Host        string        `default:"127.0.0.1" help:"Host of the server to measure."`
	Port        int           `default:"8080" help:"Port of the server to measure."`
	Path        string        `default:"/" help:"Request target each request GETs."`
	Connections int           `short:"c" default:"50" help:"Concurrent connections, each sending its next request as soon as the last is answered."`
	Duration    time.Duration `short:"d" help:"How long to measure (default 5s; with --compare, 3s per server per round)."`
	Requests    int64         `short:"n" placeholder:"N" help:"Send this many requests instead of measuring for a duration."`
	KeepAlive   bool          `default:"true" negatable:"" help:"Reuse connections; --no-keep-alive opens one per request."`
	Pipeline    int           `default:"1" help:"Requests written on a connection before reading their responses."`
	Timeout     time.Duration `default:"10s" help:"Longest wait for a batch of responses before counting an error."`
	Compare     string        `placeholder:"LIST" help:"Compare servers, comma-separated: stages (${stages}), net/http and fasthttp, e.g. ch04,ch05,ch09,final,net/http."`
	Rounds      int           `default:"3" help:"With --compare: rounds, each measuring every server once, in turn."`
	Workers     int           `placeholder:"N" help:"With --compare: worker processes for stages that prefork."`
	Idle        int           `placeholder:"N" help:"With --compare: measure memory, not speed: each server's RSS holding N idle keep-alive connections, against its RSS empty (Linux)."`
	JSON        bool          `name:"json" help:"Print one JSON document to stdout instead of the report."`
}

// Run checks the flags, then measures or compares, and prints the report.
func (c *BenchCmd) Run(a *App, kctx *kong.Context) error {
	// set reports whether a flag is on the command line; kong's Value.Set
	// is also true for a flag given its default.
	set := func(name string) bool {
		for _, p := range kctx.Path {
			if p.Flag != nil && p.Flag.Name == name {
				return true
			}
		}
		return false
	}
	load, err := c.load(set)
	if err != nil {
		return err
	}
	if c.Compare != "" {
		return c.compare(a, set, load)
	}
	for _, f := range []string{"rounds", "workers", "idle"} {
		if set(f) {
			return usagef("--%s goes with --compare", f)
		}
	}
	return c.measure(a, set, load)
}

// load builds the load from the flags every mode shares.
func (c *BenchCmd) load(set func(string) bool) (bench.Config, error) {
	switch {
	case c.Connections < 1 || c.Connections > bench.MaxConnections:
		return bench.Config{}, usagef("--connections %d: use 1 to %d", c.Connections, bench.MaxConnections)
	case c.Pipeline < 1 || c.Pipeline > bench.MaxPipeline:
		return bench.Config{}, usagef("--pipeline %d: use 1 to %d", c.Pipeline, bench.MaxPipeline)
	case set("duration") && c.Duration <= 0:
		return bench.Config{}, usagef("--duration %v: use a positive duration such as 10s", c.Duration)
	case set("requests") && c.Requests <= 0:
		return bench.Config{}, usagef("--requests %d: use a positive count", c.Requests)
	case c.Timeout <= 0:
		return bench.Config{}, usagef("--timeout %v: use a positive duration such as 10s", c.Timeout)
	}
	load := bench.Config{
		Path:        c.Path,
		Connections: c.Connections,
		Duration:    c.Duration,
		Requests:    c.Requests,
		NoKeepAlive: !c.KeepAlive,
		Pipeline:    c.Pipeline,
		Timeout:     c.Timeout,
	}
	return load, nil
}

// measure runs the bench against one server that is already running.
func (c *BenchCmd) measure(a *App, set func(string) bool, load bench.Config) error {
	load.Addr = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	if c.URL != "" {
		for _, f := range []string{"host", "port", "path"} {
			if set(f) {
				return usagef("--url and --%s both say where to send requests: use one", f)
			}
		}
		addr, host, path, err := bench.ParseURL(c.URL)
		if err != nil {
			return configError(err)
		}
		load.Addr, load.Host, load.Path = addr, host, path
	} else if c.Port < 1 || c.Port > 65535 {
		return usagef("--port %d is out of range: use 1-65535", c.Port)
	}
	if err := load.Validate(); err != nil {
		return configError(err)
	}
	target := "http://" + hostOr(load.Host, load.Addr) + load.Path
	// One dial first: a server that is not there is one clear line now,
	// not a run's worth of errors later.
	probe, err := net.DialTimeout("tcp", load.Addr, load.Timeout)
	if err != nil {
		return fmt.Errorf("cannot connect to %s: start one first (learn run STAGE), or point --url at a running server", load.Addr)
	}
	probe.Close()

	progress := bench.NewProgress(a.Stderr, isTerminal(a.Stderr))
	load.Progress = progress.ForRun(load)
	res, err := bench.Run(a.Context, load)
	progress.Done()
	interrupted := errors.Is(err, context.Canceled)
	if err != nil && !interrupted {
		return err
	}
	if c.JSON {
		err = bench.WriteRunJSON(a.Stdout, target, load, res)
	} else {
		err = bench.WriteSummary(a.Stdout, target, load, res, palette(a.style))
	}
	switch {
	case err != nil:
		return err
	case interrupted:
		return fmt.Errorf("bench interrupted after %s: the figures above are for that time", res.Elapsed.Round(10*time.Millisecond))
	case res.Requests == 0 && res.Errors > 0:
		return fmt.Errorf("every request to %s failed: is a server listening there?", load.Addr)
	}
	return nil
}

func hostOr(host, addr string) string {
	if host != "" {
		return host
	}
	return addr
}

// compare starts each listed server in its own process and measures them
// in alternating rounds.
func (c *BenchCmd) compare(a *App, set func(string) bool, load bench.Config) error {
	for _, f := range []string{"url", "host", "port"} {
		if set(f) {
			return usagef("--%s names a running server; --compare starts its own", f)
		}
	}
	switch {
	case c.Rounds < 1 || c.Rounds > bench.MaxRounds:
		return usagef("--rounds %d: use 1 to %d", c.Rounds, bench.MaxRounds)
	case c.Workers < 0:
		return usagef("--workers %d: use a positive number", c.Workers)
	}
	if set("idle") {
		return c.compareIdle(a, set)
	}
	if load.Duration == 0 && load.Requests == 0 {
		load.Duration = CompareDuration
	}
	targets, progress, err := c.prepare(a, false)
	if err != nil {
		return err
	}
	cc := bench.CompareConfig{
		Targets:  targets,
		Load:     load,
		Rounds:   c.Rounds,
		Baseline: netHTTP,
		Events:   progress.Event,
	}
	res, err := bench.Compare(a.Context, cc)
	progress.Done()
	if err != nil {
		return comparisonError(err)
	}
	err = c.write(a,
		func(w io.Writer) error { return bench.WriteComparisonJSON(w, cc, res) },
		func(w io.Writer, p bench.Palette) error { return bench.WriteComparison(w, cc, res, p) })
	if err != nil {
		return err
	}
	a.keepComparison(cc, res)
	for _, s := range res.Servers {
		if s.Failed != "" {
			return fmt.Errorf("%s %s", s.Name, s.Failed)
		}
	}
	return nil
}

// keepComparison saves a comparison beside the learner's progress, where
// `learn book` charts the last runs. Failing to is a warning only: the
// report is out already.
func (a *App) keepComparison(cc bench.CompareConfig, res bench.CompareResult) {
	var doc bytes.Buffer
	err := bench.WriteComparisonJSON(&doc, cc, res)
	dir := ""
	if err == nil {
		dir, err = a.configDir()
	}
	if err == nil {
		err = book.SaveBench(dir, book.BenchRun{At: time.Now(), Command: a.args, Comparison: doc.Bytes()})
	}
	if err != nil {
		a.style.warn.Fprintf(a.Stderr, "learn: %v (learn book charts the runs kept there)\n", err)
	}
}

// prepare returns the servers a comparison starts, as this binary's own
// commands, and the progress display it reports to.
func (c *BenchCmd) prepare(a *App, idle bool) ([]bench.Target, *bench.Progress, error) {
	self, err := a.executable()
	if err != nil {
		return nil, nil, err
	}
	targets, err := c.targets(self, idle)
	if err != nil {
		return nil, nil, err
	}
	return targets, bench.NewProgress(a.Stderr, isTerminal(a.Stderr)), nil
}

// write prints a comparison's result: as JSON with --json, else as a
// report in the terminal's colors.
func (c *BenchCmd) write(a *App, asJSON func(io.Writer) error, asText func(io.Writer, bench.Palette) error) error {
	if c.JSON {
		return asJSON(a.Stdout)
	}
	return asText(a.Stdout, palette(a.style))
}

// comparisonError is the one line a failed comparison ends with.
func comparisonError(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("comparison interrupted: every server it started is stopped")
	}
	return configError(err)
}

// idleServerTimeout is the --idle-timeout given to the stages that take
// one when measuring idle connections: longer than any measurement, so
// that the first connections opened are still there when the last are.
// net/http and fasthttp need none: `learn serve-net-http` and `learn
// serve-fasthttp` set no IdleTimeout nor ReadTimeout, so their idle
// connections never time out.
const idleServerTimeout = "1h"

// compareIdle measures the memory --idle connections cost each listed
// server, one server at a time.
func (c *BenchCmd) compareIdle(a *App, set func(string) bool) error {
	switch {
	case c.Idle < 1 || c.Idle > bench.MaxIdle:
		return usagef("--idle %d: use 1 to %d", c.Idle, bench.MaxIdle)
	case set("workers"):
		return usagef("--idle reads the memory of the one process that holds the connections: leave out --workers")
	case !c.KeepAlive:
		return usagef("--idle holds keep-alive connections: leave out --no-keep-alive")
	}
	for _, f := range []string{"connections", "duration", "requests", "pipeline"} {
		if set(f) {
			return usagef("--%s does not apply to --idle, which opens N connections and sends two GETs on each", f)
		}
	}
	targets, progress, err := c.prepare(a, true)
	if err != nil {
		return err
	}
	ic := bench.IdleConfig{
		Targets:  targets,
		Conns:    c.Idle,
		Path:     c.Path,
		Rounds:   c.Rounds,
		Timeout:  c.Timeout,
		Baseline: netHTTP,
		Events:   progress.Event,
	}
	res, err := bench.CompareIdle(a.Context, ic)
	progress.Done()
	if err != nil {
		return comparisonError(err)
	}
	err = c.write(a,
		func(w io.Writer) error { return bench.WriteIdleJSON(w, res) },
		func(w io.Writer, p bench.Palette) error { return bench.WriteIdle(w, res, p) })
	if err != nil {
		return err
	}
	for _, s := range res.Servers {
		if s.Failed != "" {
			return fmt.Errorf("%s %s", s.Name, s.Failed)
		}
	}
	return nil
}

// targets turns the --compare list into servers to start: a ready stage
// runs as `learn run STAGE`, net/http as `learn serve-net-http`, fasthttp
// as `learn serve-fasthttp`, and a stage not written yet is skipped. For an idle measurement, stages with
// an idle timeout get idleServerTimeout.
func (c *BenchCmd) targets(self string, idle bool) ([]bench.Target, error) {
	var targets []bench.Target
	for _, name := range strings.Split(c.Compare, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if strings.EqualFold(name, netHTTP) {
			targets = append(targets, bench.Target{Name: netHTTP, Env: []string{"NO_COLOR=1"},
				Command: func(port int) []string {
					return []string{self, "serve-net-http", "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
				}})
			continue
		}
		if strings.EqualFold(name, bench.FastHTTP) {
			targets = append(targets, bench.Target{Name: bench.FastHTTP, Env: []string{"NO_COLOR=1"},
				Command: func(port int) []string {
					return []string{self, "serve-fasthttp", "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
				}})
			continue
		}
		st, err := stages.Lookup(name)
		if err != nil {
			return nil, usagef("--compare: %v, or net/http, fasthttp", err)
		}
		if !st.Ready() {
			targets = append(targets, bench.Target{Name: st.ID, Skip: "not written yet"})
			continue
		}
		workers := 0
		if slices.Contains(st.Flags, "workers") {
			workers = c.Workers
		}
		idleTimeout := idle && slices.Contains(st.Flags, "idle-timeout")
		targets = append(targets, bench.Target{Name: st.ID, Env: []string{"NO_COLOR=1"},
			Command: func(port int) []string {
				argv := []string{self, "run", st.ID, "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
				if workers > 0 {
					argv = append(argv, "--workers", strconv.Itoa(workers))
				}
				if idleTimeout {
					argv = append(argv, "--idle-timeout", idleServerTimeout)
				}
				return argv
			}})
	}
	if len(targets) == 0 {
		return nil, usagef("--compare %q names no server: list stages and net/http, e.g. ch04,final,net/http", c.Compare)
	}
	return targets, nil
}

// configError turns the bench's *ConfigError into a usage error that
// prints as one line naming the flag.
func configError(err error) error {
	var ce *bench.ConfigError
	if errors.As(err, &ce) {
		return usagef("%s", ce.Problem)
	}
	return err
}

// palette colors the bench's reports with the App's style.
func palette(s *style) bench.Palette {
	sprint := func(c interface{ Sprint(...any) string }) func(string) string {
		return func(text string) string { return c.Sprint(text) }
	}
	return bench.Palette{
		Title:    sprint(s.title),
		Label:    sprint(s.b),
		Bad:      sprint(s.bad),
		Warn:     sprint(s.warn),
		Dim:      sprint(s.dim),
		Bar:      sprint(s.ok),
		Baseline: sprint(s.code),
	}
}

// ServeNetHTTPCmd serves the demo app with a plain net/http server: the
// baseline `learn bench --compare` runs in a process of its own, as it
// runs the stages. It is hidden from help.
type ServeNetHTTPCmd struct {
	Host string `default:"127.0.0.1" help:"Address to listen on."`
	Port int    `default:"8080" help:"TCP port to listen on (0 picks a free one)."`
}

// netHTTPShutdownTimeout bounds the graceful stop of the net/http server.
const netHTTPShutdownTimeout = 5 * time.Second

// Run serves until the App's context is cancelled, then shuts down
// gracefully.
func (c *ServeNetHTTPCmd) Run(a *App) error {
	if c.Port < 0 || c.Port > 65535 {
		return usagef("--port %d is out of range: use 1-65535, or 0 for any free port", c.Port)
	}
	ln, err := final.Listen(c.Host, c.Port)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: demo.New()}
	fmt.Fprintf(a.Stderr, "net/http serving the demo app on %s\n", ln.Addr())
	stopped := make(chan error, 1)
	go func() {
		<-a.Context.Done()
		ctx, cancel := context.WithTimeout(context.Background(), netHTTPShutdownTimeout)
		defer cancel()
		stopped <- srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("net/http: %w", err)
	}
	if err := <-stopped; err != nil {
		return fmt.Errorf("net/http: shutdown: %w", err)
	}
	return nil
}
