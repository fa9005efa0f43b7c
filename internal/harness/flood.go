package harness

// The commands that hold many connections open against the server:
// slowloris (connections that send a request head a byte at a time and
// never finish it) and holdconns (thousands of idle keep-alive
// connections on one worker, with the memory they cost).

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpfromscratch/course/internal/proc"
	"github.com/rogpeppe/go-internal/testscript"
)

// Limits of the flood commands.
const (
	// MaxSlowConns bounds slowloris's -n.
	MaxSlowConns = 5000
	// MaxHeldConns bounds holdconns's -n.
	MaxHeldConns = 50000
	// MaxSlowTimeout bounds slowloris's -timeout: the command lasts about
	// that long.
	MaxSlowTimeout = time.Minute
	// MinSlowTimeout is the shortest -timeout slowloris takes: it needs
	// that long to send normal requests while the slow connections are
	// open and before the server closes them.
	MinSlowTimeout = time.Second
	// MinSlowEvery is the shortest -every: it bounds the bytes sent.
	MinSlowEvery = 10 * time.Millisecond
	// SlowCloseMargin is how late after the read-header timeout, counted
	// from a slow connection's connect, the server may close it: a server
	// checks its deadlines with a timer, and 500 of them fall due at once.
	// slowloris waits twice as long before it gives up on a connection,
	// so that a failure says how late the server was.
	SlowCloseMargin = 2 * time.Second
	// sampleEvery is how often slowloris sends a normal request.
	sampleEvery = 100 * time.Millisecond
	// baselineSamples is how many normal requests, before the slow
	// connections open, make the baseline latency slowloris prints.
	baselineSamples = 10
	// floodDialers is how many connections the flood commands open, or
	// send a request on, at once: enough to open 10,000 in seconds, few
	// enough that the server's accept queue (listen backlog) never
	// overflows.
	floodDialers = 32
	// fdHeadroom is how many files this process needs open besides the
	// connections a command holds: the test binary's own, the server's
	// output pipes, the normal requests.
	fdHeadroom = 100
	// maxFloodErrors is how many failures a flood command describes.
	maxFloodErrors = 5
	// maxFloodBody bounds the body of each answer the flood commands read.
	maxFloodBody = 1 << 20 // 1 MiB
)

// cmdSlowloris opens -n connections that each send the bytes of a request
// head one at a time, one every -every, and never finish it: the
// slowloris attack, which ties up a server that gives each connection a
// thread or a slot until its request is complete. Meanwhile, one after
// the other, it sends GET PATH on a fresh connection every 100 ms, from
// when the last slow connection is open until the first is closed or
// shortly before the read-header timeout. It judges behaviour, never
// speed: it fails if a normal request fails (a 2xx whole within
// ReadTimeout, the harness's generous bound, on every connection), if no
// normal request was answered while every slow connection still hung (a
// server that serves only once the slow ones are cut, or cut some before
// the last was open), or if a slow connection is not closed by the
// server between the read-header timeout (-timeout, the value the script
// gave the server) and SlowCloseMargin after it, counted from its
// connect. It prints one line with the figures: the median time to a
// whole answer before the attack (10 requests) and under it, and its
// p90; they say how the server copes and are for reading, not judged, as
// a shared two-core machine can stretch any of them.
func cmdSlowloris(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("slowloris: unsupported: ! slowloris")
	}
	fs := flag.NewFlagSet("slowloris", flag.ContinueOnError)
	n := fs.Int("n", 500, "slow connections")
	every := fs.Duration("every", time.Second, "time between two bytes of a slow connection")
	timeout := fs.Duration("timeout", 10*time.Second, "the server's read-header timeout")
	rest := parseFlags(ts, fs, args)
	path := pathArg(ts, rest, "usage: slowloris [-n N] [-every DUR] [-timeout DUR] [PATH]")
	switch {
	case *n < 1 || *n > MaxSlowConns:
		ts.Fatalf("slowloris: want 1 <= -n <= %d", MaxSlowConns)
	case *timeout < MinSlowTimeout || *timeout > MaxSlowTimeout:
		ts.Fatalf("slowloris: want %v <= -timeout <= %v", MinSlowTimeout, MaxSlowTimeout)
	case *every < MinSlowEvery || *every > *timeout:
		ts.Fatalf("slowloris: want %v <= -every <= -timeout", MinSlowEvery)
	}
	if err := proc.RaiseFileLimit(*n + fdHeadroom); err != nil {
		ts.Fatalf("slowloris: %v", err)
	}
	srv := runningServer(ts, "slowloris")
	addr := serverAddr(ts)
	failed := func(format string, args ...any) {
		fail(ts, srv, "slowloris: the server did not hold out against slow connections",
			"slow connections are closed at the read-header timeout, and normal requests are served meanwhile",
			fmt.Sprintf(format, args...))
	}

	// The baseline, after one request that warms the server up.
	if _, err := timedGet(addr, path); err != nil {
		failed("before the attack: %v", err)
	}
	var baseline []time.Duration
	for i := range baselineSamples {
		if i > 0 {
			time.Sleep(sampleEvery)
		}
		d, err := timedGet(addr, path)
		if err != nil {
			failed("before the attack: %v", err)
		}
		baseline = append(baseline, d)
	}

	a := &slowAttack{addr: addr, head: slowHead(path, addr), every: *every, limit: *timeout + 2*SlowCloseMargin}
	defer a.stop() // on every path out, failures included
	if err := a.open(*n); err != nil {
		failed("%v", err)
	}
	// Normal requests while every slow connection is open: until the first
	// is closed, or shortly before the server should start closing them.
	// Each is a 2xx within ReadTimeout or a failure; it counts as served
	// under attack if its answer came while no slow connection had been
	// closed yet.
	openBefore := a.closed.Load() // closed by the server before the last was open
	var attack []time.Duration
	sent := 0
	end := a.first.Add(*timeout - 2*sampleEvery)
	for next := time.Now(); openBefore == 0 && time.Now().Before(end) && a.closed.Load() == 0; next = next.Add(sampleEvery) {
		time.Sleep(time.Until(next))
		sent++
		d, err := timedGet(addr, path)
		if err != nil {
			failed("under attack, normal request %d: %v", sent, err)
		}
		if a.closed.Load() == 0 {
			attack = append(attack, d)
		}
	}
	a.wait()

	base, delay := median(baseline), median(attack)-median(baseline)
	res := a.result(*timeout, *timeout+SlowCloseMargin)
	fmt.Fprintf(ts.Stdout(), "slowloris: %d slow connections, opened in %v; GET %s: baseline median %v; %s; %s; read-header timeout %v\n",
		*n, a.openTook.Round(time.Millisecond), path, ms(base), attackSummary(attack, sent, delay), res.summary(*n), *timeout)
	switch {
	case res.early > 0:
		failed("%d slow connections were closed before the read-header timeout %v (the earliest %v after connecting)%s",
			res.early, *timeout, res.earliest.Round(time.Millisecond), res.errs)
	case openBefore > 0:
		failed("the server closed %d slow connections before the last of the %d was open (opening them took %v): "+
			"it accepts slowly while connections wait for their request (one at a time? a small listen backlog?)",
			openBefore, *n, a.openTook.Round(time.Millisecond))
	case len(attack) == 0:
		failed("no normal request was answered while the slow connections hung: %d sent, the first answered only after "+
			"the server had closed a slow connection (does a waiting connection hold a thread or a slot?)", sent)
	case res.late > 0 || res.closed < *n:
		failed("%d of %d slow connections were not closed within %v of connecting (the read-header timeout %v, and %v more): "+
			"%d were closed later%s, %d were still open after %v%s",
			res.late+*n-res.closed, *n, *timeout+SlowCloseMargin, *timeout, SlowCloseMargin,
			res.late, res.latestIfLate(), *n-res.closed, a.limit, res.errs)
	}
}

// attackSummary prints the latency of the normal requests answered while
// every slow connection hung, of sent.
func attackSummary(attack []time.Duration, sent int, delay time.Duration) string {
	if len(attack) == 0 {
		return fmt.Sprintf("under attack none of %d requests answered", sent)
	}
	return fmt.Sprintf("under attack median %v (%s), p90 %v, %d of %d requests",
		ms(median(attack)), signed(ms(delay)), ms(percentile(attack, 90)), len(attack), sent)
}

// slowHead returns the bytes a slow connection sends: a request line, a
// Host header, then header lines without end, never the empty line that
// would finish the head.
func slowHead(path, addr string) func(i int) byte {
	start := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: learn-slowloris\r\n"
	const line = "X-Slow: 1\r\n"
	return func(i int) byte {
		if i < len(start) {
			return start[i]
		}
		return line[(i-len(start))%len(line)]
	}
}

// slowAttack is a set of slow connections, each served by its own
// goroutine until the server closes it or limit after its connect.
type slowAttack struct {
	addr     string
	head     func(i int) byte
	every    time.Duration
	limit    time.Duration
	conns    []*slowConn
	first    time.Time     // when the first connection was open
	openTook time.Duration // from first to the last connection open
	closed   atomic.Int32  // connections the server has closed so far
	wg       sync.WaitGroup
}

// slowConn is one slow connection and what happened to it.
type slowConn struct {
	c        net.Conn
	opened   time.Time     // when its connect began
	closedIn time.Duration // from opened to the server's close; 0 if it never closed it
	got      []byte        // the first bytes the server sent, if any
	err      error         // an error other than the server's close
}

// open opens n slow connections, floodDialers at a time, and starts each
// one's goroutine as soon as it is open. The first byte goes at once, so
// a server that counts the timeout from the first byte and one that
// counts it from the accept close it at the same time; the others are
// spread over the interval so the connections do not all send together.
func (a *slowAttack) open(n int) error {
	a.conns = make([]*slowConn, n)
	var errs floodErrors
	forEach(n, func(i int) bool {
		// The clock starts before the connect: the server's, at its
		// accept, cannot start earlier.
		dialed := time.Now()
		c, err := net.DialTimeout("tcp", a.addr, ReadTimeout)
		if err != nil {
			errs.add(fmt.Errorf("slow connection %d: %w", i+1, err))
			return false
		}
		sc := &slowConn{c: c, opened: dialed}
		a.conns[i] = sc
		phase := a.every * time.Duration(i) / time.Duration(n)
		a.wg.Go(func() { a.run(sc, phase) })
		return true
	})
	a.first = time.Now()
	for _, sc := range a.conns {
		if sc != nil && sc.opened.Before(a.first) {
			a.first = sc.opened
		}
	}
	a.openTook = time.Since(a.first)
	return errs.err("opening the slow connections")
}

// run sends sc's head a byte at a time until the server closes the
// connection or a.limit passes, whichever comes first, reading whatever
// the server sends meanwhile (a 408, say).
func (a *slowAttack) run(sc *slowConn, phase time.Duration) {
	defer sc.c.Close()
	end := sc.opened.Add(a.limit)
	next := sc.opened // the first byte goes at once
	buf := make([]byte, 512)
	for sent := 0; ; {
		if !time.Now().Before(next) && time.Now().Before(end) {
			sc.c.SetWriteDeadline(time.Now().Add(ReadTimeout))
			// An error here means the server is gone or reset the
			// connection: the read below says which.
			_, _ = sc.c.Write([]byte{a.head(sent)})
			sent++
			next = sc.opened.Add(phase + time.Duration(sent)*a.every)
		}
		wake := next
		if end.Before(wake) {
			wake = end
		}
		sc.c.SetReadDeadline(wake)
		n, err := sc.c.Read(buf)
		if n > 0 && len(sc.got) < 64 {
			sc.got = append(sc.got, buf[:min(n, 64-len(sc.got))]...)
		}
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			if !time.Now().Before(end) {
				return // still open: result counts it
			}
		case errors.Is(err, io.EOF) || isReset(err):
			sc.closedIn = time.Since(sc.opened)
			a.closed.Add(1)
			return
		default:
			sc.err = err
			return
		}
	}
}

// wait waits until every slow connection is closed, by the server or at
// its limit.
func (a *slowAttack) wait() { a.wg.Wait() }

// stop closes every slow connection and waits for their goroutines.
func (a *slowAttack) stop() {
	for _, sc := range a.conns {
		if sc != nil {
			sc.c.Close()
		}
	}
	a.wg.Wait()
}

// slowResult sums up what happened to the slow connections.
type slowResult struct {
	closed, early, late, answered408 int
	earliest, latest                 time.Duration // of the server's closes
	errs                             string        // the first few errors, one per line
}

// summary prints when the server closed the slow connections.
func (r slowResult) summary(n int) string {
	if r.closed == 0 {
		return fmt.Sprintf("0/%d closed by the server", n)
	}
	return fmt.Sprintf("%d/%d closed by the server %v-%v after connecting (%d answered 408)", r.closed, n,
		r.earliest.Round(time.Millisecond), r.latest.Round(time.Millisecond), r.answered408)
}

// latestIfLate says when the last late connection was closed, if one was.
func (r slowResult) latestIfLate() string {
	if r.late == 0 {
		return ""
	}
	return fmt.Sprintf(" (the latest %v after connecting)", r.latest.Round(time.Millisecond))
}

// result sums up the slow connections, once they are all done: those the
// server closed before timeout are early, after deadline late.
func (a *slowAttack) result(timeout, deadline time.Duration) slowResult {
	var r slowResult
	var errs floodErrors
	for i, sc := range a.conns {
		if sc.err != nil {
			errs.add(fmt.Errorf("slow connection %d: %w", i+1, sc.err))
		}
		if got := string(sc.got); strings.HasPrefix(got, "HTTP/1.1 408 ") || strings.HasPrefix(got, "HTTP/1.0 408 ") {
			r.answered408++
		}
		if sc.closedIn == 0 {
			continue
		}
		r.closed++
		// The server's clock starts at its accept, after our connect
		// began: closing before the timeout, with a tenth of it for
		// slack, is closing early.
		switch {
		case sc.closedIn < timeout-timeout/10:
			r.early++
		case sc.closedIn > deadline:
			r.late++
		}
		if r.earliest == 0 || sc.closedIn < r.earliest {
			r.earliest = sc.closedIn
		}
		r.latest = max(r.latest, sc.closedIn)
	}
	if err := errs.err(""); err != nil {
		r.errs = "\n" + err.Error()
	}
	return r
}

// timedGet sends GET path on a new connection, reads the whole answer
// and returns how long that took, connect included. The answer must be
// 2xx.
func timedGet(addr, path string) (time.Duration, error) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, ReadTimeout)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	defer c.Close()
	c.SetDeadline(start.Add(ReadTimeout))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\nUser-Agent: learn-slowloris\r\nConnection: close\r\n\r\n"); err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, readErr(err))
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxFloodBody))
	resp.Body.Close()
	switch {
	case err != nil:
		return 0, fmt.Errorf("GET %s: reading the body: %w", path, readErr(err))
	case resp.StatusCode/100 != 2:
		return 0, fmt.Errorf("GET %s: status %s, want 2xx", path, resp.Status)
	}
	return time.Since(start), nil
}

// median returns the middle of ds (the lower one of an even count), or 0.
func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }

// percentile returns the smallest of ds that at least p percent of ds do
// not exceed (nearest rank), or 0 if ds is empty.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}

// ms rounds d for printing: to 0.1 ms.
func ms(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }

// signed prints d with its sign, + included.
func signed(d time.Duration) string {
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// cmdHoldConns opens -n keep-alive connections to the server, sends
// GET PATH on each and checks every answer is 2xx and keeps the
// connection open, holds them all, reads the resident memory (VmRSS) of
// the process that answers GET /pid, sends a second GET on every
// connection to prove the server still holds them, and prints
// "N connections held, RSS X MiB (Y KiB per connection above the baseline
// RSS taken before opening them)"; then it closes them. It raises this
// process's limit on open files to its hard limit first, and fails if
// that is below N+fdHeadroom, or if the server's own limit (read from
// /proc) is below N.
//
// The server should run with one worker, so that the process that
// answers GET /pid is the one holding the connections, and with an idle
// timeout longer than the command takes.
func cmdHoldConns(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("holdconns: unsupported: ! holdconns")
	}
	fs := flag.NewFlagSet("holdconns", flag.ContinueOnError)
	n := fs.Int("n", 10000, "connections")
	rest := parseFlags(ts, fs, args)
	path := pathArg(ts, rest, "usage: holdconns [-n N] [PATH]")
	if *n < 1 || *n > MaxHeldConns {
		ts.Fatalf("holdconns: want 1 <= -n <= %d", MaxHeldConns)
	}
	if err := proc.RaiseFileLimit(*n + fdHeadroom); err != nil {
		ts.Fatalf("holdconns: %v", err)
	}
	srv := runningServer(ts, "holdconns")
	addr := serverAddr(ts)
	failed := func(format string, args ...any) {
		fail(ts, srv, "holdconns: the server did not hold every connection",
			fmt.Sprintf("%d keep-alive connections open at once, each answered 2xx", *n),
			fmt.Sprintf(format, args...))
	}
	pid, err := getPid(addr)
	if err != nil {
		failed("%v", err)
	}
	if !proc.Descendant(pid, srv.Pid()) {
		failed("GET /pid answered %d, which is not the server under test or one of its processes", pid)
	}
	if soft, hard, err := proc.OpenFileLimits(pid); err == nil && soft < uint64(*n) {
		how := fmt.Sprintf("raise it to its hard limit, %d, at start (setrlimit; Go does so by itself)", hard)
		if hard < uint64(*n) {
			how = fmt.Sprintf("its hard limit is %d too: run it where `ulimit -Hn` is higher", hard)
		}
		failed("the server's process %d may open %d files (its soft RLIMIT_NOFILE), fewer than the %d connections: %s",
			pid, soft, *n, how)
	}
	before, rssErr := proc.RSS(pid)

	h := &heldConns{addr: addr, path: path, conns: make([]net.Conn, *n)}
	defer h.close()
	start := time.Now()
	if err := h.each(h.open); err != nil {
		failed("%v", err)
	}
	opened := time.Since(start)
	after, err := proc.RSS(pid)
	if rssErr == nil {
		rssErr = err
	}
	start = time.Now()
	if err := h.each(h.again); err != nil {
		failed("after all %d were open and answered: %v", *n, err)
	}
	ts.Logf("holdconns: opened %d connections with a GET each in %v; a second GET on each took %v; the server's pid %d",
		*n, opened.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), pid)
	switch again, err := getPid(addr); {
	case err != nil:
		failed("%v", err)
	case again != pid:
		failed("GET /pid answered %d before, %d after: run the server with one worker, so that one process holds every connection", pid, again)
	}
	if rssErr != nil {
		fmt.Fprintf(ts.Stdout(), "%d connections held, RSS not measured: %v\n", *n, rssErr)
		return
	}
	fmt.Fprintf(ts.Stdout(), "%d connections held, RSS %.1f MiB (%.1f KiB per connection above the baseline RSS taken before opening them)\n",
		*n, float64(after)/(1<<20), float64(after-before)/1024/float64(*n))
}

// heldConns is holdconns's connections. They keep no reader between
// requests, so that the harness's memory stays small.
type heldConns struct {
	addr, path string
	conns      []net.Conn
}

// each runs f for every connection, floodDialers at a time, and stops at
// the first failure.
func (h *heldConns) each(f func(i int) error) error {
	var errs floodErrors
	forEach(len(h.conns), func(i int) bool {
		if err := f(i); err != nil {
			errs.add(fmt.Errorf("connection %d: %w", i+1, err))
			return false
		}
		return true
	})
	return errs.err("")
}

// open opens connection i and sends its first request.
func (h *heldConns) open(i int) error {
	c, err := net.DialTimeout("tcp", h.addr, ReadTimeout)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	h.conns[i] = c
	return h.get(c)
}

// again sends another request on connection i.
func (h *heldConns) again(i int) error { return h.get(h.conns[i]) }

// get sends GET path on c and reads the answer, which must be 2xx and
// keep the connection open.
func (h *heldConns) get(c net.Conn) error {
	c.SetDeadline(time.Now().Add(ReadTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "GET "+h.path+" HTTP/1.1\r\nHost: "+h.addr+"\r\nUser-Agent: learn-holdconns\r\n\r\n"); err != nil {
		return err
	}
	br := bufio.NewReaderSize(c, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return readErr(err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxFloodBody))
	resp.Body.Close()
	switch {
	case err != nil:
		return fmt.Errorf("reading the body: %w", readErr(err))
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("status %s, want 2xx", resp.Status)
	case resp.Close:
		return errors.New("the answer says Connection: close, want the connection kept open")
	case br.Buffered() > 0:
		return fmt.Errorf("%d stray bytes after the answer", br.Buffered())
	}
	return nil
}

// close closes every connection.
func (h *heldConns) close() {
	for _, c := range h.conns {
		if c != nil {
			c.Close()
		}
	}
}

// forEach calls f(i) for i in [0, n), floodDialers calls at a time, and
// stops handing out work once a call returns false. It returns when every
// call has.
func forEach(n int, f func(i int) bool) {
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	for range min(floodDialers, n) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if !f(i) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
}

// floodErrors collects the first few of many errors, safely from many
// goroutines.
type floodErrors struct {
	mu    sync.Mutex
	count int
	first []string
}

func (e *floodErrors) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	if len(e.first) < maxFloodErrors {
		e.first = append(e.first, "  "+err.Error())
	}
}

// err returns nil if nothing was added, else an error that counts them
// and lists the first few, after the prefix if any.
func (e *floodErrors) err(prefix string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count == 0 {
		return nil
	}
	if prefix != "" {
		prefix += ": "
	}
	return fmt.Errorf("%s%d failed:\n%s", prefix, e.count, strings.Join(e.first, "\n"))
}
