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
		if exited, _ := st.server.wait(0); !exited {
			ts.Fatalf("start: the server is already running; interrupt it first")
		}
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
		srv, err := startServer(argv, env, dir, port)
		if err == nil {
			st.server = srv
			ts.Setenv("HOST", Host)
			ts.Setenv("PORT", strconv.Itoa(port))
			ts.Logf("started %s (pid %d)", strings.Join(argv, " "), srv.cmd.Process.Pid)
			return
		}
		lastErr = err
		if srv != nil && strings.Contains(strings.ToLower(srv.out.String()), "in use") {
			continue // lost the race for the port: pick another
		}
		out := ""
		if srv != nil {
			out = srv.out.String()
		}
		ts.Fatalf("start: %s: %v\nserver output:\n%s", strings.Join(argv, " "), err, out)
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
	if err := srv.signal(os.Interrupt); err != nil {
		ts.Fatalf("interrupt: %v", err)
	}
	exited, err := srv.wait(StopTimeout)
	if !exited {
		srv.dumpStuck()
		srv.kill()
		ts.Fatalf("interrupt: the server did not exit within %v of SIGINT\nserver output:\n%s", StopTimeout, srv.out.String())
	}
	io.WriteString(ts.Stdout(), srv.out.String())
	switch {
	case err != nil && !neg:
		ts.Fatalf("interrupt: the server exited with %v", err)
	case err == nil && neg:
		ts.Fatalf("interrupt: the server exited 0, want a non-zero status")
	}
}

// signals are the names kill accepts.
var signals = map[string]syscall.Signal{
	"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL,
	"QUIT": syscall.SIGQUIT, "HUP": syscall.SIGHUP, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2, "TTIN": syscall.SIGTTIN, "TTOU": syscall.SIGTTOU,
}

func cmdOutput(ts *testscript.TestScript, neg bool, args []string) {
	io.WriteString(ts.Stdout(), runningServer(ts, "output").out.String())
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
	if err := srv.signal(sig); err != nil {
		ts.Fatalf("signal: %v", err)
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
	switch {
	case err != nil && !neg:
		ts.Fatalf("send: %v", err)
	case err == nil && neg:
		ts.Fatalf("send: wrote %d bytes, want an error", len(data))
	}
	ts.Logf("sent on %s: %s", name, Escape(data))
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
		ts.Stdout().Write(data)
	}
	if err != nil && !neg {
		ts.Fatalf("recv: %v after %d bytes: %q\n%s", err, len(data), Escape(data), serverReport(runningServer(ts, "recv")))
	}
}

func cmdResponse(ts *testscript.TestScript, neg bool, args []string) {
	var head bool
	name, _ := connFlag(ts, "response", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&head, "head", false, "the request was HEAD: expect no body")
	})
	c := dialed(ts, name)
	text, err := c.readResponse(head)
	io.WriteString(ts.Stdout(), text)
	switch {
	case err != nil && !neg:
		ts.Fatalf("response: %v\nread so far:\n%s\n%s", err, text, serverReport(runningServer(ts, "response")))
	case err == nil && neg:
		ts.Fatalf("response: read a well-formed response, want an error")
	}
}

func cmdClosed(ts *testscript.TestScript, neg bool, args []string) {
	name, _ := connFlag(ts, "closed", args, nil)
	c := dialed(ts, name)
	extra, err := c.waitClosed()
	if neg {
		if err == nil {
			ts.Fatalf("closed: the server closed the connection, want it open")
		}
		return
	}
	if err != nil {
		ts.Fatalf("closed: %v\n%s", err, serverReport(runningServer(ts, "closed")))
	}
	if len(extra) > 0 {
		ts.Fatalf("closed: the server sent %q before closing, want nothing more", Escape(extra))
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
		ts.Fatalf("echo-check: %v\n%s", err, serverReport(runningServer(ts, "echo-check")))
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
		ts.Fatalf("connect %s: %v\n%s", name, err, serverReport(runningServer(ts, "dial")))
	}
	st.conns[name] = c
	return c
}

// serverReport says whether the server is still running, and what it
// wrote: for a failure whose cause may be on the server's side.
func serverReport(srv *server) string {
	state := "still running"
	if exited, exitErr := srv.wait(0); exited {
		state = fmt.Sprintf("exited (%v)", exitErr)
	}
	return fmt.Sprintf("the server has %s; its output:\n%s", state, srv.out.String())
}

// errTimeout reports a read that waited ReadTimeout for the server.
var errTimeout = errors.New("harness: timed out waiting for the server")
