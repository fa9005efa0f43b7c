package learn

import (
	"strings"
	"testing"
)

// A failing script's log as testscript writes it: earlier phases cut to
// their comment, the failing one in full.
const failedLog = `WORK=/tmp/learn-scripts-1/work/script-echo
# An earlier phase. (0.010s)
# The server sends back each message as it arrives,
# while the connection stays open. (0.339s)
> start
started python3 echo.py --host 127.0.0.1 --port 2000 (pid 7)
> send 'hello, echo\n'
> send -c other 'it''s\x00'
> recv -n 12
[stdout]
hello, echo
FAIL: /tmp/learn-scripts-1/ch01-echo.txtar:9: recv: the bytes stopped early
expected: 12 bytes
got:      11 bytes
`

func TestParseFailure(t *testing.T) {
	f := parseFailure(failedLog)
	if want := "The server sends back each message as it arrives, while the connection stays open."; f.Proves != want {
		t.Errorf("Proves = %q, want %q", f.Proves, want)
	}
	if want := []string{`"hello, echo\n"`, `"it's\x00" on connection other`}; strings.Join(f.Sent, "|") != strings.Join(want, "|") {
		t.Errorf("Sent = %q, want %q", f.Sent, want)
	}
	if f.Command != "recv -n 12" || f.Line != 9 {
		t.Errorf("Command, Line = %q, %d; want recv -n 12, 9", f.Command, f.Line)
	}
	if want := "recv: the bytes stopped early|expected: 12 bytes|got:      11 bytes"; strings.Join(f.Report, "|") != want {
		t.Errorf("Report = %q, want %q", f.Report, want)
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name         string
		message      []string
		output, diff []string
		want         []string // substrings of the report, in order
	}{
		{"stdout regexp", []string{"no match for `^HTTP/1\\.1 200 ` found in stdout"}, []string{"HTTP/1.1 404 Not Found", ""}, nil,
			[]string{"no line matches", "expected: a line matching ^HTTP/1\\.1 200 ", "got:      no such line in what came back:", "HTTP/1.1 404 Not Found"}},
		{"negated regexp", []string{"unexpected match for `^(?i)content-length:` found in stdout: Content-Length: 0"}, nil, nil,
			[]string{"expected: no line matching ^(?i)content-length: in stdout", "got:      Content-Length: 0"}},
		{"cmp", []string{"stdout and want differ"}, nil,
			[]string{"--- stdout", "+++ want", "@@ -1 +1 @@", "-HTTP/1.1 200 Ok", "+HTTP/1.1 200 OK"},
			[]string{"expected:", "HTTP/1.1 200 OK", "got:", "HTTP/1.1 200 Ok", `byte 15 of the first differing line: expected "K", got "k"`}},
		{"cmp line end", []string{"stdout and want differ"}, nil,
			[]string{"--- stdout", "+++ want", "@@ -1 +1 @@", "-line two", `\ No newline at end of file`, "+line two"},
			[]string{"got:", "(no line end after the last line)", `the line end (\n) after the last line`}},
		{"harness message kept", []string{"recv: x", "expected: 1", "got:      2"}, nil, nil,
			[]string{"recv: x", "expected: 1", "got:      2"}},
		{"anything else", []string{"exists: access.log does not exist"}, nil, nil,
			[]string{"access.log does not exist", "expected: the step to succeed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(explain(tt.message, tt.output, tt.diff), "\n")
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("explain(%q) =\n%s\nwant %q after byte %d", tt.message, got, w, at)
				}
				at += i + len(w)
			}
		})
	}
}

func TestSentBytesWithVariables(t *testing.T) {
	if got, _ := sentBytes(`send -c big 'GET /'$A`); got != `'GET /'$A (as the script writes it) on connection big` {
		t.Errorf("sentBytes = %q", got)
	}
}

func TestSentBytesCutsLongPayloads(t *testing.T) {
	got, ok := sentBytes("send 'GET /" + strings.Repeat("a", 9000) + ` HTTP/1.1\r\n\r\n'`)
	if !ok || len(got) > 400 || !strings.Contains(got, "(9018 bytes in all)") || !strings.HasSuffix(got, `HTTP/1.1\r\n\r\n"`) {
		t.Errorf("sentBytes(9 KiB line) = %q, want head … (9018 bytes in all) … tail", got)
	}
}
