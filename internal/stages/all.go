package stages

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"unicode"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch03"
	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/final"
)

// All returns the stages in course order. Each call builds a fresh list, so
// callers may change what they get.
func All() []Stage {
	return []Stage{
		{
			ID:      "ch01",
			Title:   "raw TCP echo",
			Summary: "accept loop, a goroutine per connection, every byte echoed back, half-close",
			Scripts: scripts("ch01"),
			Try: []string{
				"nc {host} {port}                      # type lines, see them come back",
				"printf 'hello\\n' | nc -N {host} {port}  # half-close: echo, then EOF",
			},
			Serve: serveCh01,
		},
		{
			ID:      "ch02",
			Title:   "request parser",
			Summary: "request line, headers, Content-Length and chunked bodies, limits; a JSON dump or 400/413/414/431/501/505",
			Flags:   []string{"max-body"},
			Scripts: scripts("ch02"),
			Try: []string{
				"curl -i 'http://{addr}/hello?x=1'",
				"curl -i -d 'name=gopher' http://{addr}/form",
				"printf 'GET / HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n' | nc {host} {port}   # 505",
			},
			Serve: serveParser(ch02.NewServer),
		},
		{
			ID:      "ch03",
			Title:   "response builder",
			Summary: "status line, Date, Content-Length, Content-Type, HEAD, simple routes, Connection: close",
			Flags:   []string{"max-body"},
			// ch03 keeps every rejection of ch02.
			Scripts: append(scripts("ch03"), "testdata/ch02/reject-*.txtar"),
			Try: []string{
				"curl -i http://{addr}/",
				"curl -I http://{addr}/            # HEAD: headers only",
				"curl -i -X DELETE http://{addr}/  # 405 with Allow",
			},
			Serve: serveParser(ch03.NewServer),
		},
		{
			ID:      "ch04",
			Title:   "handler bridge",
			Summary: "any http.Handler runs on it: implicit 200, chunked when no length, Flush, panic to 500",
			Flags:   []string{"max-body"},
			Scripts: keptFromCh04("ch04"),
			Try:     demoTries,
			Serve: func(ctx context.Context, ln net.Listener, cfg Config) error {
				srv := &ch04.Server{Handler: demo.New(), Limits: demoLimits(cfg), Logf: cfg.Logf}
				return serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Close, ch04.ErrServerClosed)
			},
		},
		{
			ID:      "ch05",
			Title:   "keep-alive",
			Summary: "persistent connections, HTTP/1.0 and 1.1 rules, pipelining, idle timeout, 100-continue",
			Flags:   []string{"max-body", "idle-timeout", "read-header-timeout"},
			Scripts: keptFromCh05("ch05", "ch04"),
			Try: append([]string{
				"curl -v http://{addr}/ http://{addr}/echo   # one connection, two requests",
			}, demoTries...),
			Serve: serveCh05,
		},
		{
			ID:      "ch06",
			Title:   "prefork",
			Summary: "a master and N worker processes sharing one listening socket; dead workers replaced, HUP reloads",
			Flags:   []string{"max-body", "idle-timeout", "read-header-timeout", "workers"},
			Scripts: keptFromCh05("ch06", "ch05", "ch04"),
			Try: append([]string{
				"for i in 1 2 3 4; do curl -s http://{addr}/pid; done   # which worker served",
			}, demoTries...),
			Serve: serveCh06,
		},
		{
			ID:      "ch07",
			Title:   "graceful shutdown",
			Summary: "SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0 within a timeout",
			Flags:   []string{"max-body", "idle-timeout", "read-header-timeout", "workers", "graceful-timeout"},
			Scripts: keptFromCh05("ch07", "ch06", "ch05", "ch04"),
			Try: append([]string{
				"curl 'http://{addr}/sleep?ms=3000' & sleep 0.5; kill -TERM <pid>   # the request still finishes",
			}, demoTries...),
			Serve: serveCh07,
		},
		{
			ID:      "ch08",
			Title:   "access log",
			Summary: "one line per request: console, Common, Combined or JSON, nothing lost on shutdown",
			Flags: []string{"max-body", "idle-timeout", "read-header-timeout", "workers", "graceful-timeout",
				"access-log", "access-log-format"},
			Scripts: keptFromCh05("ch08", "ch07", "ch06", "ch05", "ch04"),
			Try:     demoTries,
			Serve:   serveCh08,
		},
		{
			ID:      "ch09",
			Title:   "make it fast",
			Summary: "chapter 5's wire exactly, less work per request: a one-allocation parser, lazy contexts, pooled buffers, lean idle connections",
			Flags:   []string{"max-body", "idle-timeout", "read-header-timeout", "gc-floor"},
			// A fast server must still be a correct one: every check of
			// ch05 and before holds.
			Scripts: keptFromCh05("ch09", "ch05", "ch04"),
			Try: append([]string{
				"curl -v http://{addr}/ http://{addr}/echo   # one connection, two requests",
				"learn bench --url http://{addr}/   # requests/s and latency, while it runs",
			}, demoTries...),
			Serve: serveCh09,
		},
		{
			ID:      "final",
			Title:   "the full server",
			Summary: "everything above, hardened and configurable: final.Main(handler) for your own app",
			Flags:   finalFlags(),
			Scripts: keptFromCh05("final", "ch08", "ch07", "ch06", "ch05", "ch04"),
			Try:     demoTries,
			Serve: func(ctx context.Context, ln net.Listener, cfg Config) error {
				return final.Serve(ctx, ln, final.Options{
					Flags: cfg.Flags, Handler: demo.New(), Args: cfg.Args, Worker: cfg.Worker,
					Force: cfg.Force, Logf: cfg.Logf, StatusStyle: cfg.StatusStyle,
				})
			},
		},
	}
}

// finalFlags lists every flag of final.Flags: the final stage takes them
// all.
func finalFlags() []string {
	var names []string
	t := reflect.TypeFor[final.Flags]()
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("name")
		if name == "" {
			name = kebab(f.Name)
		}
		names = append(names, name)
	}
	return names
}

// kebab turns a Go field name into kong's flag name: MaxBody is max-body.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// keptFromCh04 lists the scripts of a stage from ch04 on: its own, the
// earlier ones from ch04 on, ch03's, and ch02's rejections except the two
// that post a body to "/", where the demo app answers 405 without reading
// it (ch04's echo-bad-chunk and reject-body check the same through /echo).
func keptFromCh04(ids ...string) []string {
	return append(scripts(append(ids, "ch03")...),
		"testdata/ch02/reject-*.txtar",
		"!testdata/ch02/reject-body-too-large.txtar",
		"!testdata/ch02/reject-chunk.txtar")
}

// keptFromCh05 lists the scripts of a keep-alive stage (ch05 on): as
// keptFromCh04, less ch03's check that every response closes.
func keptFromCh05(ids ...string) []string {
	return append(keptFromCh04(ids...), "!testdata/ch03/close.txtar")
}

// demoTries are the curl lines every stage serving the demo app suggests.
var demoTries = []string{
	"curl -i http://{addr}/",
	"curl -i -d 'hello' http://{addr}/echo",
	"curl -i http://{addr}/status/418",
	"curl -N 'http://{addr}/stream?n=5'    # chunked, flushed line by line",
	"curl -i http://{addr}/panic         # 500, and the server lives on",
}

// demoLimits are the parser limits of a stage serving the demo app: the
// chapter defaults, with --max-body when given.
func demoLimits(cfg Config) ch02.Limits {
	return ch02.Limits{MaxBodyBytes: int64(cfg.MaxBody), MaxHeaderBytes: int(cfg.MaxHeaderBytes)}
}

// serveUntilDone runs serve in the background and closes the server when
// ctx is done; it returns serve's error unless that error only reports the
// close, and the close's error.
func serveUntilDone(ctx context.Context, serve func() error, closeServer func() error, closed error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		cerr := closeServer()
		if err := <-errc; err != closed {
			return errors.Join(err, cerr)
		}
		return cerr
	}
}

// serveParser serves a stage built as a ch01.Server from a constructor
// that takes the parser's limits (ch02, ch03).
func serveParser(newServer func(addr string, lim ch02.Limits, logf ch01.Logf) *ch01.Server) ServeFunc {
	return func(ctx context.Context, ln net.Listener, cfg Config) error {
		srv := newServer("", ch02.Limits{MaxBodyBytes: int64(cfg.MaxBody)}, cfg.Logf)
		return serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Close, ch01.ErrServerClosed)
	}
}

func serveCh01(ctx context.Context, ln net.Listener, cfg Config) error {
	srv := &ch01.Server{Logf: cfg.Logf}
	return serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Close, ch01.ErrServerClosed)
}
