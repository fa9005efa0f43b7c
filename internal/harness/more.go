package harness

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/internal/proc"
	"github.com/rogpeppe/go-internal/testscript"
)

// pollEvery is how often the waiting commands look again.
const pollEvery = 10 * time.Millisecond

// waitUntil polls cond until it holds or ReadTimeout passes.
func waitUntil(cond func() bool) bool { return waitWithin(ReadTimeout, cond) }

// waitWithin is waitUntil with a bound of its own.
func waitWithin(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(pollEvery) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// cmdWaitExit waits for the server to exit: `waitexit` wants status 0,
// `! waitexit` a failure status. It prints the server's output.
func cmdWaitExit(ts *testscript.TestScript, neg bool, args []string) {
	srv := runningServer(ts, "waitexit")
	exited, err := srv.Wait(StopTimeout)
	fmt.Fprint(ts.Stdout(), srv.out.String())
	switch {
	case !exited:
		srv.dumpStuck()
		srv.Kill()
		fail(ts, srv, "waitexit: the server did not exit", fmt.Sprintf("the server exits within %v", StopTimeout), "still running")
	case err != nil && !neg:
		fail(ts, nil, "waitexit: the server exited with a failure", "exit status 0", err.Error())
	case err == nil && neg:
		fail(ts, nil, "waitexit: the server exited 0", "a non-zero exit status", "exit status 0")
	}
}

// cmdRefused asserts that the server refuses new connections (within
// ReadTimeout, or -within D): its listener is closed. `! refused` asserts
// it accepts.
//
// A bound shorter than ReadTimeout is for a stop that must close the
// socket at once: a process that keeps a copy of it open without
// accepting leaves the kernel completing handshakes into its queue, and
// a probe connects; the copy may still go away later by chance (a
// runtime that collects the handle), which a long wait would take for
// the close.
func cmdRefused(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("refused", flag.ContinueOnError)
	within := fs.Duration("within", ReadTimeout, "how soon the connections must be refused")
	if rest := parseFlags(ts, fs, args); len(rest) > 0 {
		ts.Fatalf("usage: refused [-within D]")
	}
	if neg && *within != ReadTimeout {
		ts.Fatalf("refused: -within means nothing with !: the server is asked to accept at once")
	}
	addr := serverAddr(ts)
	accepts := func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	if neg {
		if !accepts() {
			failf(ts, "the server accepts connections", "connection refused", "refused: the server does not accept connections")
		}
		return
	}
	if !waitWithin(*within, func() bool { return !accepts() }) {
		failf(ts, "the listening socket closed: new connections refused", fmt.Sprintf("still accepted after %v", *within), "refused: the server still accepts connections")
	}
}

// cmdWaitLog waits until the server's output matches a regexp, at least
// -count times.
func cmdWaitLog(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("waitlog", flag.ContinueOnError)
	count := fs.Int("count", 1, "matches wanted")
	rest := parseFlags(ts, fs, args)
	if len(rest) != 1 {
		ts.Fatalf("usage: waitlog [-count N] REGEXP")
	}
	re, err := regexp.Compile("(?m)" + rest[0])
	ts.Check(err)
	srv := runningServer(ts, "waitlog")
	if !waitUntil(func() bool { return len(re.FindAllString(srv.out.String(), -1)) >= *count }) {
		failf(ts, fmt.Sprintf("%d line(s) of server output matching %s", *count, rest[0]),
			fmt.Sprintf("%d after %v", len(re.FindAllString(srv.out.String(), -1)), ReadTimeout),
			"waitlog: the server did not print the expected line")
	}
}

// cmdLogLines checks that exactly N lines of a file match a regular
// expression: `loglines -count=N REGEXP FILE`, testscript's `grep
// -count=N` with a failure that shows the file's lines that do not match
// (an access log's torn or missing lines are what a learner must see).
func cmdLogLines(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("loglines", flag.ContinueOnError)
	count := fs.Int("count", 1, "matching lines wanted")
	rest := parseFlags(ts, fs, args)
	if neg || len(rest) != 2 {
		ts.Fatalf("usage: loglines [-count N] REGEXP FILE")
	}
	re, err := regexp.Compile("(?m)" + rest[0])
	ts.Check(err)
	data, err := os.ReadFile(ts.MkAbs(rest[1]))
	if err != nil {
		failf(ts, fmt.Sprintf("%d line(s) matching %s in %s", *count, rest[0], rest[1]), err.Error(), "loglines: no file to read")
	}
	matches, got := matchingLines(re, data)
	if matches != *count {
		failf(ts, fmt.Sprintf("%d line(s) matching %s in %s", *count, rest[0], rest[1]), got,
			"loglines: %s holds %d matching line(s), not %d", rest[1], matches, *count)
	}
}

// matchingLines counts re's matches in data, as testscript's grep does,
// and says so, with up to five of data's lines that do not match.
func matchingLines(re *regexp.Regexp, data []byte) (int, string) {
	matches := len(re.FindAll(data, -1))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var other []string
	for _, l := range lines {
		if !re.MatchString(l) {
			shown := Escape([]byte(l[:min(len(l), ShownBytes)]))
			if len(l) > ShownBytes {
				shown += fmt.Sprintf(" … (%d bytes in all)", len(l))
			}
			other = append(other, "          | "+shown)
		}
	}
	got := fmt.Sprintf("%d in %d line(s)", matches, len(lines))
	if len(other) > 0 {
		got += fmt.Sprintf("; %d line(s) do not match, such as:\n%s", len(other), strings.Join(other[:min(len(other), 5)], "\n"))
	}
	return matches, got
}

// cmdWaitFile waits until a file exists.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	p := ts.MkAbs(args[0])
	if !waitUntil(func() bool { _, err := os.Stat(p); return err == nil }) {
		failf(ts, args[0]+" exists", fmt.Sprintf("no such file after %v", ReadTimeout), "waitfile: the file did not appear")
	}
}

// cmdGetPid asks the demo app which process serves it (GET /pid, on a new
// connection) and sets the variable named by its argument.
func cmdGetPid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: getpid VAR")
	}
	pid, err := getPid(serverAddr(ts))
	if err != nil {
		failf(ts, "a 200 answer to GET /pid with the serving process's id as its body", err.Error(), "getpid: GET /pid failed")
	}
	ts.Setenv(args[0], strconv.Itoa(pid))
	ts.Logf("GET /pid answered by pid %d", pid)
}

// getPid does GET /pid and parses the answer.
func getPid(addr string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, ReadTimeout)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(ReadTimeout))
	if _, err := io.WriteString(c, "GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, fmt.Errorf("GET /pid: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil || resp.StatusCode != 200 {
		return 0, fmt.Errorf("GET /pid: status %d, %v", resp.StatusCode, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		return 0, fmt.Errorf("GET /pid answered %q, want a process id", body)
	}
	return pid, nil
}

// cmdKillPid sends a signal (default TERM) to a process of the server
// under test: the server itself or one of its descendants, never anything
// else.
func cmdKillPid(ts *testscript.TestScript, neg bool, args []string) {
	sig := syscall.SIGTERM
	if len(args) == 2 {
		s, ok := signals[strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "SIG")]
		if !ok {
			ts.Fatalf("killpid: unknown signal %q", args[0])
		}
		sig, args = s, args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: killpid [-SIG] PID")
	}
	pid, err := strconv.Atoi(args[0])
	ts.Check(err)
	srv := runningServer(ts, "killpid")
	if !proc.Descendant(pid, srv.Pid()) {
		ts.Fatalf("killpid: %d is not the server under test or one of its processes", pid)
	}
	if pid == srv.Pid() {
		srv.signalled.Store(true)
	}
	ts.Check(syscall.Kill(pid, sig))
}

// cmdWaitPidGone waits until a process has exited (or is a zombie).
func cmdWaitPidGone(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitgone PID")
	}
	pid, err := strconv.Atoi(args[0])
	ts.Check(err)
	if !waitUntil(func() bool { return !alive(pid) }) {
		failf(ts, fmt.Sprintf("process %d exits", pid), fmt.Sprintf("still running after %v", ReadTimeout), "waitgone: the process did not exit")
	}
}

// alive reports whether pid is a live process (a zombie is not, where
// /proc tells them apart).
func alive(pid int) bool { return proc.Alive(pid) }

// cmdPids asks GET /pid on new connections until it has seen N different
// processes answer (at most 500 tries): with prefork, the kernel hands
// connections to every worker. It fails if the server's own (master)
// process answers.
func cmdPids(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: pids N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	srv := runningServer(ts, "pids")
	addr := serverAddr(ts)
	seen := map[int]bool{}
	// Workers start one after the other: keep asking until they all
	// answered, for at most ReadTimeout.
	for deadline := time.Now().Add(ReadTimeout); len(seen) < want && time.Now().Before(deadline); {
		pid, err := getPid(addr)
		if err != nil {
			fail(ts, srv, "pids: GET /pid failed", "a 200 answer to GET /pid with the serving process's id as its body", err.Error())
		}
		if pid == srv.Pid() && want > 1 {
			fail(ts, srv, "pids: the master process served a request", "only workers serve requests", fmt.Sprintf("GET /pid answered by the master, pid %d", pid))
		}
		seen[pid] = true
	}
	if len(seen) < want {
		fail(ts, srv, "pids: too few processes served requests", fmt.Sprintf("%d different processes answer GET /pid", want),
			fmt.Sprintf("%d within %v", len(seen), ReadTimeout))
	}
	fmt.Fprintf(ts.Stdout(), "%d processes served\n", len(seen))
}

// cmdBurst sends -n GET requests for PATH over -c keep-alive connections
// at once and checks every answer is 2xx.
func cmdBurst(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	n := fs.Int("n", 100, "requests")
	conns := fs.Int("c", 4, "connections")
	rest := parseFlags(ts, fs, args)
	path := "/"
	if len(rest) == 1 {
		path = rest[0]
	}
	addr := serverAddr(ts)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for i := range *conns {
		share := *n / *conns
		if i < *n%*conns {
			share++
		}
		wg.Go(func() {
			if err := burstOne(addr, path, share); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		failf(ts, fmt.Sprintf("%d keep-alive GET %s over %d connections, each answered 2xx", *n, path, *conns), err.Error(), "burst: some requests failed")
	}
	fmt.Fprintf(ts.Stdout(), "%d requests answered 2xx\n", *n)
}

func burstOne(addr, path string, n int) error {
	c, err := net.DialTimeout("tcp", addr, ReadTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(4 * ReadTimeout))
	br := bufio.NewReader(c)
	req := "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: learn-burst\r\n\r\n"
	for i := range n {
		if _, err := io.WriteString(c, req); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("request %d: body: %w", i+1, err)
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("request %d: status %d", i+1, resp.StatusCode)
		}
		if resp.Close && i+1 < n {
			return fmt.Errorf("request %d: the server closed the keep-alive connection", i+1)
		}
	}
	return nil
}
