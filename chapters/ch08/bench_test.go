package ch08_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/chapters/ch08"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/internal/testkit"
)

// helloRequest is what the benchmarks send: the demo's GET /, from a
// client that keeps its connection and, like a browser, sends a Referer
// and a User-Agent, so that Combined and JSON have both fields to write.
const helloRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nReferer: http://localhost/start\r\n" +
	"User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n"

// benchTimeout bounds the waits around the measured loop: starting and
// stopping a server takes milliseconds.
const benchTimeout = 10 * time.Second

// logCase is one way of logging: none (off), or a format written to a
// sink.
type logCase struct {
	name   string
	off    bool
	format ch08.Format
	// file: a file in a temporary directory, opened as OpenAccessLog
	// opens it (O_APPEND); else io.Discard, which measures formatting and
	// locking alone.
	file bool
	// interval is the Logger's flush interval: 0 for the default
	// (buffered, as `learn run ch08` and final use it), -1 for one write
	// per line.
	interval time.Duration
}

var logCases = []logCase{
	{name: "off", off: true},
	{name: "console-discard", format: ch08.Console},
	{name: "common-discard", format: ch08.Common},
	{name: "combined-discard", format: ch08.Combined},
	{name: "json-discard", format: ch08.JSON},
	{name: "console-file", format: ch08.Console, file: true},
	{name: "common-file", format: ch08.Common, file: true},
	{name: "combined-file", format: ch08.Combined, file: true},
	{name: "json-file", format: ch08.JSON, file: true},
	{name: "combined-file-unbuffered", format: ch08.Combined, file: true, interval: -1},
}

// logServer is a chapter 7 server (chapter 5's keep-alive loop, with
// graceful shutdown) serving the demo app on a loopback port, with the
// access log wired as `learn run ch08` wires it: through ch05's
// OnResponse hook, after each response.
type logServer struct {
	addr   string
	srv    *ch07.Server
	logger *ch08.Logger // nil when logging is off
	path   string       // the log file, or ""

	mu        sync.Mutex
	hookTimes []time.Duration // how long each line took, when timed
}

func startLogServer(b *testing.B, lc logCase) *logServer {
	return startTimedLogServer(b, lc, false)
}

// startTimedLogServer is startLogServer, with the hook timing each line
// (NewEntry and Log) into hookTimes when timed is set: two more clock
// reads per request, outside the measured span.
func startTimedLogServer(b *testing.B, lc logCase, timed bool) *logServer {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ls := &logServer{addr: ln.Addr().String()}
	s := &ch05.Server{Handler: demo.New()}
	if !lc.off {
		if lc.file {
			ls.path = filepath.Join(b.TempDir(), "access.log")
			ls.logger, err = ch08.Open(ls.path, lc.format, lc.interval)
			if err != nil {
				b.Fatal(err)
			}
		} else {
			ls.logger = ch08.New(io.Discard, lc.format, lc.interval)
		}
		logger := ls.logger
		s.QuietRequests = true
		s.OnResponse = func(r *http.Request, status int, written int64, start time.Time) {
			e := ch08.NewEntry(r, status, written, start)
			logger.Log(&e)
		}
		if timed {
			log := s.OnResponse
			s.OnResponse = func(r *http.Request, status int, written int64, start time.Time) {
				t0 := time.Now()
				log(r, status, written, start)
				d := time.Since(t0)
				ls.mu.Lock()
				ls.hookTimes = append(ls.hookTimes, d)
				ls.mu.Unlock()
			}
		}
	}
	ls.srv = ch07.New(s)
	go ls.srv.Serve(ln)
	return ls
}

// stop shuts the server down gracefully, which waits until every
// connection's last OnResponse has run, then closes the log, which
// flushes it; it returns how many lines the log file holds (0 when there
// is no file). Close the client connections first.
func (ls *logServer) stop(b *testing.B) int {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	if err := ls.srv.Shutdown(ctx); err != nil {
		b.Fatalf("Shutdown: %v", err)
	}
	if ls.logger == nil {
		return 0
	}
	if err := ls.logger.Close(); err != nil {
		b.Fatalf("closing the access log: %v", err)
	}
	if ls.path == "" {
		return 0
	}
	data, err := os.ReadFile(ls.path)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}

// checkLines fails the benchmark unless the log file holds one line per
// request sent: buffered or not, nothing may be lost.
func checkLines(b *testing.B, lc logCase, got int, sent int64) {
	b.Helper()
	if lc.file && int64(got) != sent {
		b.Fatalf("the access log holds %d lines for %d requests", got, sent)
	}
}

// BenchmarkAccessLog sends GET / again and again on one keep-alive
// loopback connection, waiting for each response before the next request,
// with the access log off and then in each format and sink. An op is one
// request; the client allocates nothing, so allocs/op is the server's and
// the logger's. On a busy machine, ns/op drifts by more than logging
// costs: BenchmarkAccessLogOverhead measures the difference.
func BenchmarkAccessLog(b *testing.B) {
	for _, lc := range logCases {
		b.Run(lc.name, func(b *testing.B) {
			ls := startLogServer(b, lc)
			c, n := testkit.DialHello(b, ls.addr, helloRequest)
			buf := testkit.PingPong(b, c, helloRequest, n)
			if !bytes.HasSuffix(buf, []byte("\r\n\r\nHello, World!")) {
				b.Fatalf("last response %q", buf)
			}
			c.Close()
			checkLines(b, lc, ls.stop(b), int64(b.N)+1)
		})
	}
}

// pairConn is a client's connection to one of the two servers of
// BenchmarkAccessLogOverhead, with the round trip time of each request.
type pairConn struct {
	c     net.Conn
	buf   []byte
	req   []byte
	times []time.Duration
}

// get sends one GET / and reads its response, timing the round trip.
func (p *pairConn) get() error {
	t0 := time.Now()
	if _, err := p.c.Write(p.req); err != nil {
		return err
	}
	if _, err := io.ReadFull(p.c, p.buf); err != nil {
		return err
	}
	p.times = append(p.times, time.Since(t0))
	return nil
}

// median returns the middle of ds, which it sorts.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// parallelConns is how many connections to each server the parallel
// overhead benchmark keeps busy per GOMAXPROCS: 4, so 8 on the 2-core
// machine the lesson quotes.
const parallelConns = 4

// BenchmarkAccessLogOverhead measures what the access log adds to a
// request in a way a shared machine's noise cannot fake: two servers run
// side by side, one with the log off and one logging, and the client
// alternates between them, request by request, timing each round trip.
// Whatever else the machine does slows both alike, and the medians shrug
// off the odd request that waited for a CPU. An op is a pair of requests,
// one to each server; off-p50-ns and log-p50-ns are the median round
// trips, and %overhead how much longer the logged one is.
//
// The "seq" cases use one connection to each server, one request at a
// time; the "par" cases keep parallelConns connections per GOMAXPROCS to
// each server busy at once, so the servers compete for the CPU and the
// logging one's connections for its Logger's lock, as under load.
func BenchmarkAccessLogOverhead(b *testing.B) {
	for _, mode := range []string{"seq", "par"} {
		for _, lc := range logCases {
			if lc.off {
				continue
			}
			b.Run(mode+"/"+lc.name, func(b *testing.B) {
				off := startLogServer(b, logCase{name: "off", off: true})
				on := startLogServer(b, lc)
				c, n := testkit.DialHello(b, off.addr, helloRequest) // learns the response length
				c.Close()
				var mu sync.Mutex
				var offTimes, onTimes []time.Duration
				// client runs one connection to each server until next
				// says stop, and collects their round trips.
				client := func(expect int, next func() bool) {
					var pc [2]pairConn
					for i, ls := range []*logServer{off, on} {
						c, err := net.DialTimeout("tcp", ls.addr, benchTimeout)
						if err != nil {
							b.Error(err)
							return
						}
						defer c.Close()
						pc[i] = pairConn{c: c, buf: make([]byte, n), req: []byte(helloRequest),
							times: make([]time.Duration, 0, expect)}
					}
					for turn := 0; next(); turn++ {
						// Take turns at going first, so that neither
						// server always follows the other.
						first, second := &pc[turn&1], &pc[1-turn&1]
						if err := first.get(); err != nil {
							b.Error(err)
							break
						}
						if err := second.get(); err != nil {
							b.Error(err)
							break
						}
					}
					mu.Lock()
					offTimes = append(offTimes, pc[0].times...)
					onTimes = append(onTimes, pc[1].times...)
					mu.Unlock()
				}
				b.ReportAllocs()
				b.ResetTimer()
				if mode == "seq" {
					i := 0
					client(b.N, func() bool { i++; return i <= b.N })
				} else {
					b.SetParallelism(parallelConns)
					clients := parallelConns * runtime.GOMAXPROCS(0)
					b.RunParallel(func(pb *testing.PB) { client(b.N/clients+16, pb.Next) })
				}
				b.StopTimer()
				if len(offTimes) == 0 || len(onTimes) == 0 {
					b.Fatal("no request completed")
				}
				sent := int64(len(onTimes))
				offNs, onNs := float64(median(offTimes)), float64(median(onTimes))
				b.ReportMetric(offNs, "off-p50-ns")
				b.ReportMetric(onNs, "log-p50-ns")
				b.ReportMetric((onNs/offNs-1)*100, "%overhead")
				off.stop(b)
				checkLines(b, lc, on.stop(b), sent)
			})
		}
	}
}

// BenchmarkAccessLogInServer times the log inside a running server:
// one keep-alive connection, GET / again and again, and the hook that
// writes each line (NewEntry, then Log) timed by the server itself.
// hook-p10-ns, hook-p50-ns and hook-p90-ns are the fastest tenth's
// bound, the median and the slowest tenth's bound: the same work as
// BenchmarkLog's, at the moment a real request does it, after the
// parse, the handler and the response head, on whichever core the
// connection's goroutine runs.
func BenchmarkAccessLogInServer(b *testing.B) {
	for _, lc := range logCases {
		if lc.off {
			continue
		}
		b.Run(lc.name, func(b *testing.B) {
			ls := startTimedLogServer(b, lc, true)
			c, n := testkit.DialHello(b, ls.addr, helloRequest)
			ls.mu.Lock()
			ls.hookTimes = make([]time.Duration, 0, b.N) // DialHello's request is not one of them
			ls.mu.Unlock()
			testkit.PingPong(b, c, helloRequest, n)
			c.Close()
			checkLines(b, lc, ls.stop(b), int64(b.N)+1)
			ls.mu.Lock()
			ts := ls.hookTimes // stop waited for the last line
			ls.mu.Unlock()
			if len(ts) != b.N {
				b.Fatalf("%d lines timed for %d requests", len(ts), b.N)
			}
			slices.Sort(ts)
			b.ReportMetric(float64(ts[len(ts)/10]), "hook-p10-ns")
			b.ReportMetric(float64(ts[len(ts)/2]), "hook-p50-ns")
			b.ReportMetric(float64(ts[len(ts)*9/10]), "hook-p90-ns")
		})
	}
}

// BenchmarkLog is the access log's own cost per request, without a
// server: NewEntry from a finished request, then Logger.Log, in each
// format and sink of the other benchmarks.
func BenchmarkLog(b *testing.B) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewBufferString(helloRequest)))
	if err != nil {
		b.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:52344"
	for _, lc := range logCases {
		if lc.off {
			continue
		}
		b.Run(lc.name, func(b *testing.B) {
			var l *ch08.Logger
			if lc.file {
				var err error
				l, err = ch08.Open(filepath.Join(b.TempDir(), "access.log"), lc.format, lc.interval)
				if err != nil {
					b.Fatal(err)
				}
			} else {
				l = ch08.New(io.Discard, lc.format, lc.interval)
			}
			start := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				e := ch08.NewEntry(r, 200, 13, start)
				l.Log(&e)
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
