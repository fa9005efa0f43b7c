package harness

import (
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// A failing command ends its script with a message a learner can act on,
// in one shape that learn check prints as it is:
//
//	recv: the server closed the connection before sending all the bytes
//	expected: 12 bytes
//	got:      11 bytes, then EOF: "hello, echo"
//	server: exited (exit status 1), unasked. A server must outlive anything one connection
//	does, such as closing without sending a byte (RFC 9112 section 9.3), as the readiness
//	probe does before every check.
//	server output (2 lines):
//	| Traceback (most recent call last):
//	| ...
//
// The server lines appear only when they say something: the state when
// the server has exited, the output when it printed any. Output written
// before the check's first step comes under a heading of its own.

// OutputLines bounds how many of the server's last output lines a failure
// shows.
const OutputLines = 15

// fail ends the script with summary, what the check expected and what it
// got, and the report of srv (which may be nil).
func fail(ts *testscript.TestScript, srv *server, summary, expected, got string) {
	failFix(ts, srv, summary, expected, got, "")
}

// failFix is fail with a "fix:" line after got: how to fix a failure of a
// kind any check can meet (a response line not ending in CRLF), which the
// check's own hint does not address.
func failFix(ts *testscript.TestScript, srv *server, summary, expected, got, fix string) {
	var b strings.Builder
	b.WriteString(summary)
	if expected != "" {
		b.WriteString("\nexpected: " + expected)
	}
	if got != "" {
		b.WriteString("\ngot:      " + got)
	}
	if fix != "" {
		b.WriteString("\nfix:      " + strings.ReplaceAll(fix, "\n", "\n          "))
	}
	if srv != nil {
		if r := serverReport(srv); r != "" {
			b.WriteString("\n" + r)
		}
	}
	ts.Fatalf("%s", b.String())
}

// failf is fail with a formatted summary and the script's server, if any.
func failf(ts *testscript.TestScript, expected, got, format string, args ...any) {
	fail(ts, scriptState(ts).server, fmt.Sprintf(format, args...), expected, got)
}

// serverReport says what became of the server, if it exited, and its last
// lines of output, if it wrote any: for a failure whose cause may be on
// the server's side. It is empty for a running server that printed
// nothing.
//
// Output the server wrote before it was found ready is shown apart: it
// came before the check's first step, while the server started and
// answered the readiness probe, so a crash it shows is not the check's.
func serverReport(srv *server) string {
	var b strings.Builder
	if exited, exitErr := srv.Wait(0); exited {
		state := "exit status 0"
		if exitErr != nil {
			state = exitErr.Error()
		}
		if srv.signalled.Load() {
			fmt.Fprintf(&b, "server: exited (%s)\n", state)
		} else {
			fmt.Fprintf(&b, "server: exited (%s), unasked. %s\n", state, diedNote)
		}
	}
	b.WriteString(outputReport(srv.out.String(), srv.readyAt))
	return strings.TrimSuffix(b.String(), "\n")
}

// outputReport is the last lines of a server's output, out, the first
// readyAt bytes of which it wrote before it was found ready: those are
// shown apart when they hold anything.
func outputReport(out string, readyAt int) string {
	readyAt = min(readyAt, len(out))
	before, during := out[:readyAt], out[readyAt:]
	if strings.TrimSpace(before) == "" {
		return outputTail(out, OutputLines)
	}
	return labelledTail("server output before the check began", ", at startup or on the\n"+
		"readiness probe (a connection that opens, then closes without sending a byte)", before, OutputLines) +
		labelledTail("server output since", "", during, OutputLines)
}

// diedNote follows the exit of a server no command asked to stop, or
// that exited before it was ready.
const diedNote = "A server must outlive anything one connection\n" +
	"does, such as closing without sending a byte (RFC 9112 section 9.3), as the readiness\n" +
	"probe does before every check."

// outputTail returns the last n lines of a server's output under a
// heading, each behind "| ", or "" when there is no output.
func outputTail(out string, n int) string { return labelledTail("server output", "", out, n) }

// labelledTail is outputTail under a heading of its own: label, the
// count of lines, then more.
func labelledTail(label, more, out string, n int) string {
	out = strings.TrimRight(out, "\n")
	if strings.TrimSpace(out) == "" {
		return ""
	}
	lines := strings.Split(out, "\n")
	heading := fmt.Sprintf("%s (%d lines)%s:\n", label, len(lines), more)
	if len(lines) == 1 {
		heading = label + more + ":\n"
	}
	if len(lines) > n {
		heading = fmt.Sprintf("%s (last %d of %d lines)%s:\n", label, n, len(lines), more)
		lines = lines[len(lines)-n:]
	}
	return heading + "| " + strings.Join(lines, "\n| ") + "\n"
}
