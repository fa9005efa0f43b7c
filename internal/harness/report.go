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
//	server: exited (exit status 1)
//	server output (last 2 lines):
//	| Traceback (most recent call last):
//	| ...
//
// The server lines appear only when they say something: the state when
// the server has exited, the output when it printed any.

// OutputLines bounds how many of the server's last output lines a failure
// shows.
const OutputLines = 15

// fail ends the script with summary, what the check expected and what it
// got, and the report of srv (which may be nil).
func fail(ts *testscript.TestScript, srv *server, summary, expected, got string) {
	var b strings.Builder
	b.WriteString(summary)
	if expected != "" {
		b.WriteString("\nexpected: " + expected)
	}
	if got != "" {
		b.WriteString("\ngot:      " + got)
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
func serverReport(srv *server) string {
	var b strings.Builder
	if exited, exitErr := srv.Wait(0); exited {
		state := "exit status 0"
		if exitErr != nil {
			state = exitErr.Error()
		}
		fmt.Fprintf(&b, "server: exited (%s)\n", state)
	}
	b.WriteString(outputTail(srv.out.String(), OutputLines))
	return strings.TrimSuffix(b.String(), "\n")
}

// outputTail returns the last n lines of a server's output under a
// heading, each behind "| ", or "" when there is no output.
func outputTail(out string, n int) string {
	out = strings.TrimRight(out, "\n")
	if strings.TrimSpace(out) == "" {
		return ""
	}
	lines := strings.Split(out, "\n")
	heading := fmt.Sprintf("server output (%d lines):\n", len(lines))
	if len(lines) == 1 {
		heading = "server output:\n"
	}
	if len(lines) > n {
		heading = fmt.Sprintf("server output (last %d of %d lines):\n", n, len(lines))
		lines = lines[len(lines)-n:]
	}
	return heading + "| " + strings.Join(lines, "\n| ") + "\n"
}
