package harness

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpfromscratch/course/internal/serverproc"
	"github.com/rogpeppe/go-internal/testscript"
)

// startAttempts is how often start retries when the free port it picked
// was taken by another process in the meantime.
const startAttempts = 3

// parseFlags parses a command's flags, failing the script on a bad one.
func parseFlags(ts *testscript.TestScript, fs *flag.FlagSet, args []string) []string {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("%s: %v", fs.Name(), err)
	}
	return fs.Args()
}

func cmdStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("start: unsupported: ! start")
	}
	st := scriptState(ts)
	if st.server != nil {
		if exited, _ := st.server.Wait(0); !exited {
			ts.Fatalf("start: the server is already running; interrupt it first")
		}
		st.target.Group.Remove(st.server.Process)
	}
	workers := 0
	for i, a := range args {
		if a == "--workers" && i+1 < len(args) {
			workers, _ = strconv.Atoi(args[i+1])
		}
	}
	path := ts.Getenv("PATH")
	dir := st.target.Dir
	if dir == "" {
		dir = ts.Getenv("WORK")
	}
	var lastErr error
	for range startAttempts {
		port, err := freePort()
		ts.Check(err)
		argv := st.target.argv(port, workers, args)
		if argv[0], err = lookPath(argv[0], path); err != nil {
			ts.Fatalf("start: %v", err)
		}
		env := append(append([]string(nil), st.env...),
			"HOST="+Host, "PORT="+strconv.Itoa(port), "WORKERS="+strconv.Itoa(max(workers, 1)))
		srv, err := startServer(st.target.Group, argv, env, dir, port)
		if err == nil {
			st.server = srv
			ts.Setenv("HOST", Host)
			ts.Setenv("PORT", strconv.Itoa(port))
			ts.Logf("started %s (pid %d)", strings.Join(argv, " "), srv.Pid())
			return
		}
		lastErr = err
		if srv == nil {
			ts.Fatalf("start: %v", err) // the command could not run at all
		}
		srv.closeOutput() // what it wrote is in srv.out
		if strings.Contains(strings.ToLower(srv.out.String()), "in use") {
			continue // lost the race for the port: pick another
		}
		got := err.Error() + "\n" + st.target.missingPort()
		if errors.Is(err, serverproc.ErrExited) {
			// It may have died on the probe's connection, which it took.
			got += diedNote + "\n"
		}
		fail(ts, nil, fmt.Sprintf("start: %s did not start serving", strings.Join(argv, " ")),
			fmt.Sprintf("a server accepting connections on %s:%d within %v", Host, port, ReadyTimeout),
			got+outputTail(srv.out.String(), OutputLines))
	}
	ts.Fatalf("start: %v", lastErr)
}

// runningServer returns the script's server or fails the script.
func runningServer(ts *testscript.TestScript, cmd string) *server {
	st := scriptState(ts)
	if st.server == nil {
		ts.Fatalf("%s: no server started", cmd)
	}
	return st.server
}

func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	srv := runningServer(ts, "interrupt")
	srv.signalled.Store(true)
	if err := srv.Signal(os.Interrupt); err != nil {
		fail(ts, srv, "interrupt: the server stopped before it was asked to", "a running server to stop with SIGINT", err.Error())
	}
	exited, err := srv.Wait(StopTimeout)
	if !exited {
		srv.dumpStuck()
		srv.Kill()
		fail(ts, srv, "interrupt: the server did not stop after SIGINT (Ctrl+C)",
			fmt.Sprintf("the server exits within %v", StopTimeout), "still running")
	}
	fmt.Fprint(ts.Stdout(), srv.out.String())
	switch {
	case err != nil && !neg:
		fail(ts, nil, "interrupt: the server failed on SIGINT", "exit status 0", err.Error())
	case err == nil && neg:
		fail(ts, nil, "interrupt: the server exited 0", "a non-zero exit status", "exit status 0")
	}
}

// signals are the names kill accepts.
var signals = map[string]syscall.Signal{
	"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL,
	"QUIT": syscall.SIGQUIT, "HUP": syscall.SIGHUP, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2, "TTIN": syscall.SIGTTIN, "TTOU": syscall.SIGTTOU,
	"STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT,
}

func cmdOutput(ts *testscript.TestScript, neg bool, args []string) {
	fmt.Fprint(ts.Stdout(), runningServer(ts, "output").out.String())
}

func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	srv := runningServer(ts, "signal")
	sig := syscall.SIGTERM
	if len(args) > 0 {
		s, ok := signals[strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "SIG")]
		if !ok {
			ts.Fatalf("signal: unknown signal %q", args[0])
		}
		sig = s
	}
	srv.signalled.Store(true)
	if err := srv.Signal(sig); err != nil {
		fail(ts, srv, "signal: the server stopped before it was signalled", "a running server to send "+sig.String()+" to", err.Error())
	}
}

// connFlag parses the common -c NAME flag and returns the remaining args.
func connFlag(ts *testscript.TestScript, name string, args []string, more func(fs *flag.FlagSet)) (string, []string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := fs.String("c", "c", "connection name")
	if more != nil {
		more(fs)
	}
	rest := parseFlags(ts, fs, args)
	return *c, rest
}

func cmdSend(ts *testscript.TestScript, neg bool, args []string) {
	name, rest := connFlag(ts, "send", args, nil)
	if len(rest) != 1 {
		ts.Fatalf("usage: send [-c NAME] TEXT")
	}
	data, err := Unescape(rest[0])
	ts.Check(err)
	send(ts, neg, name, data)
}

func cmdSendFile(ts *testscript.TestScript, neg bool, args []string) {
	name, rest := connFlag(ts, "sendfile", args, nil)
	if len(rest) != 1 {
		ts.Fatalf("usage: sendfile [-c NAME] FILE")
	}
	send(ts, neg, name, []byte(ts.ReadFile(rest[0])))
}

func send(ts *testscript.TestScript, neg bool, name string, data []byte) {
	c := dialed(ts, name)
	_, err := c.Write(data)
	c.sent(data)
	switch {
	case err != nil && !neg:
		failf(ts, "the server reads the request", err.Error(), "send: could not send %d bytes on connection %s", len(data), name)
	case err == nil && neg:
		failf(ts, "the server has closed the connection", fmt.Sprintf("%d bytes sent", len(data)), "send: the connection %s is still open", name)
	}
}

func cmdShutWrite(ts *testscript.TestScript, neg bool, args []string) {
	name, _ := connFlag(ts, "shutwrite", args, nil)
	c := dialed(ts, name)
	ts.Check(c.CloseWrite())
}

func cmdRecv(ts *testscript.TestScript, neg bool, args []string) {
	var n int
	var hex bool
	name, _ := connFlag(ts, "recv", args, func(fs *flag.FlagSet) {
		fs.IntVar(&n, "n", -1, "bytes to read (default: until the server closes)")
		fs.BoolVar(&hex, "hex", false, "print the bytes in hexadecimal")
	})
	c := dialed(ts, name)
	var data []byte
	var err error
	if n >= 0 {
		data, err = c.readN(n)
	} else {
		data, err = c.readAll()
	}
	if hex {
		fmt.Fprintf(ts.Stdout(), "%x\n", data)
	} else {
		fmt.Fprintf(ts.Stdout(), "%s", data)
	}
	if err != nil && !neg {
		expected := "the server's bytes, then it closes the connection"
		if n >= 0 {
			expected = fmt.Sprintf("%d bytes", n)
		}
		failf(ts, expected, withHistory(fmt.Sprintf("%d bytes, then %s: %s", len(data), what(err), quote(data)), c, name),
			"recv: %s", readFailure(err))
	}
}

func cmdResponse(ts *testscript.TestScript, neg bool, args []string) {
	var head bool
	name, _ := connFlag(ts, "response", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&head, "head", false, "the request was HEAD: expect no body")
	})
	c := dialed(ts, name)
	text, err := c.readResponse(head)
	fmt.Fprint(ts.Stdout(), text)
	if err == nil {
		status, _, _ := strings.Cut(text, "\n") // text has its lines ended by LF
		defer c.answer(strings.TrimSuffix(status, "\r"))
	}
	switch {
	case err != nil && !neg:
		fix := ""
		if le := (*lineEndError)(nil); errors.As(err, &le) {
			fix = lineEndHint(le)
		}
		failFix(ts, scriptState(ts).server, "response: "+err.Error(), "a complete HTTP/1.1 response",
			withHistory(responseGot(text, c.received(), err), c, name), fix)
	case err == nil && neg:
		failf(ts, "no well-formed response", quote([]byte(text)), "response: the server sent a well-formed response")
	}
}

func cmdClosed(ts *testscript.TestScript, neg bool, args []string) {
	name, _ := connFlag(ts, "closed", args, nil)
	c := dialed(ts, name)
	extra, err := c.waitClosed()
	if neg {
		if err == nil {
			failf(ts, "the connection stays open", "the server closed it", "closed: the server closed the connection")
		}
		return
	}
	if err != nil {
		failf(ts, "the server closes the connection", withHistory(fmt.Sprintf("%v (it sent %s)", err, quote(extra)), c, name), "closed: the connection was not closed")
	}
	if len(extra) > 0 {
		failf(ts, "nothing more, then the connection closed", withHistory(quote(extra)+", then the connection closed", c, name),
			"closed: the server sent more bytes before closing")
	}
}

func cmdEchoCheck(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("echo-check", flag.ContinueOnError)
	conns := fs.Int("conns", 1, "concurrent connections")
	size := fs.Int("size", 1024, "bytes per connection")
	halfClose := fs.Bool("halfclose", false, "half-close after sending and expect EOF after the echo")
	parseFlags(ts, fs, args)
	addr := serverAddr(ts)
	if err := echoCheck(addr, *conns, *size, *halfClose); err != nil {
		failf(ts, fmt.Sprintf("%d connection(s), each getting its %d random bytes back", *conns, *size), err.Error(), "echo-check: an echo came back wrong")
	}
	fmt.Fprintf(ts.Stdout(), "%d connections echoed %d bytes each\n", *conns, *size)
}

// serverAddr is the running server's address.
func serverAddr(ts *testscript.TestScript) string {
	srv := runningServer(ts, "dial")
	return Host + ":" + strconv.Itoa(srv.port)
}

// dialed returns connection name, dialing the server first if needed.
func dialed(ts *testscript.TestScript, name string) *conn {
	st := scriptState(ts)
	if c, ok := st.conns[name]; ok {
		return c
	}
	c, err := dial(serverAddr(ts))
	if err != nil {
		failf(ts, "the server accepts a connection", err.Error(), "connect: could not open connection %s", name)
	}
	st.conns[name] = c
	return c
}

// errTimeout reports a read that waited ReadTimeout for the server.
var errTimeout = errors.New("harness: timed out waiting for the server")

// what names how a read ended: EOF, a reset, or the harness's timeout.
func what(err error) string {
	switch {
	case errors.Is(err, errTimeout):
		return fmt.Sprintf("nothing more within %v", ReadTimeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection"
	case isReset(err):
		return "the connection was reset"
	}
	return err.Error()
}

// readFailure is the first line of a failed read's report.
func readFailure(err error) string {
	if errors.Is(err, errTimeout) {
		return fmt.Sprintf("timed out: the server sent nothing more for %v", ReadTimeout)
	}
	return "the bytes stopped early: " + what(err)
}

// responseGot says what came back instead of a whole response: the raw
// bytes the server sent (received), line ends shown, when the head
// failed, else the response as read so far.
func responseGot(text string, received []byte, err error) string {
	switch {
	case len(received) > 0:
		return "the bytes received so far: " + quote(received)
	case text != "":
		return "the response read so far:\n" + indentLines(strings.TrimSuffix(cutLines(text, 12), "\n"), "    ")
	case errors.Is(err, errTimeout):
		return fmt.Sprintf("nothing within %v of the request's last byte", ReadTimeout)
	}
	return "no bytes"
}

// cutLines keeps the first n lines of text.
func cutLines(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) <= n+1 {
		return text
	}
	return strings.Join(lines[:n], "") + fmt.Sprintf("… (%d more lines)\n", len(lines)-n)
}

// indentLines puts prefix before every line of text.
func indentLines(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// withHistory adds to got what was sent on the connection before.
func withHistory(got string, c *conn, name string) string {
	if h := c.history(name); h != "" {
		return got + "\n" + h
	}
	return got
}
