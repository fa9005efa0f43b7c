package harness

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

func TestUnescape(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`GET / HTTP/1.1\r\n\r\n`, "GET / HTTP/1.1\r\n\r\n", false},
		{`a\tb\\c\0`, "a\tb\\c\x00", false},
		{`\x00\xff\x7F`, "\x00\xff\x7f", false},
		{`plain`, "plain", false},
		{`bad\q`, "", true},
		{`trailing\`, "", true},
		{`\x4`, "", true},
		{`\xzz`, "", true},
		{`GET /\{5*a} HTTP`, "GET /aaaaa HTTP", false},
		{`\{3*X: 1\r\n}\r\n`, "X: 1\r\nX: 1\r\nX: 1\r\n\r\n", false},
		{`\{2*\}x}`, "", true}, // \} is no escape: no brace is taken for the end
		{`a\{0*b}c`, "ac", false},
		{`\{3*a`, "", true},
		{`\{a*3}`, "", true},
		{`\{-1*a}`, "", true},
		{`\{2*\{2*a}}`, "", true},
		{`\{99999999*a}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Unescape(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && string(got) != tt.want) {
				t.Errorf("Unescape(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if !tt.wantErr {
				if back, _ := Unescape(Escape(got)); string(back) != tt.want {
					t.Errorf("Unescape(Escape(%q)) = %q", got, back)
				}
			}
		})
	}
}

func TestTargetArgv(t *testing.T) {
	tests := []struct {
		name    string
		command []string
		workers int
		extra   []string
		want    []string
	}{
		{"flags appended", []string{"python3", "srv.py"}, 0, nil,
			[]string{"python3", "srv.py", "--host", "127.0.0.1", "--port", "8000"}},
		{"workers passed once", []string{"./srv"}, 2, []string{"--workers", "2"},
			[]string{"./srv", "--host", "127.0.0.1", "--port", "8000", "--workers", "2"}},
		{"workers appended", []string{"./srv"}, 3, nil,
			[]string{"./srv", "--host", "127.0.0.1", "--port", "8000", "--workers", "3"}},
		{"placeholders replaced", []string{"node", "srv.js", "{port}", "--bind={host}"}, 0, []string{"--max-body", "10"},
			[]string{"node", "srv.js", "8000", "--bind=127.0.0.1", "--max-body", "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Target{Command: tt.command}.argv(8000, tt.workers, tt.extra)
			if !slices.Equal(got, tt.want) {
				t.Errorf("argv = %q, want %q", got, tt.want)
			}
		})
	}
}

// A command whose placeholders leave out {port} is told, when its server
// does not start, that nothing was appended to it.
func TestTargetMissingPort(t *testing.T) {
	for _, tc := range []struct {
		command []string
		warned  bool
	}{
		{[]string{"./srv"}, false},
		{[]string{"./srv", "--port", "{port}"}, false},
		{[]string{"./srv", "--workers", "{workers}"}, true},
	} {
		if got := (Target{Command: tc.command}).missingPort(); (got != "") != tc.warned {
			t.Errorf("%q: missingPort() = %q, want a warning: %v", tc.command, got, tc.warned)
		}
	}
}

// serveOnce answers the first connection with raw bytes, then closes.
func serveOnce(t *testing.T, reply string) *conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.WriteString(c, reply)
		c.Close()
	}()
	c, err := dial(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name    string
		reply   string
		head    bool
		want    string
		wantErr string
	}{
		{
			name:  "content-length, date normalized",
			reply: "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 13\r\n\r\nHello, World!",
			want:  "HTTP/1.1 200 OK\nDate: <date>\nContent-Length: 13\n\nHello, World!\n",
		},
		{
			name:  "chunked with trailer",
			reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
			want:  "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n0\nX-T: 1\n\n",
		},
		{
			name:  "chunk sizes with leading zeros and capitals, an extension",
			reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n00A;x=1\r\n0123456789\r\n0\r\n\r\n",
			want:  "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\na;x=1\n0123456789\n0\n\n",
		},
		{
			name:  "HEAD has no body",
			reply: "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n",
			head:  true,
			want:  "HTTP/1.1 200 OK\nContent-Length: 13\n\n",
		},
		{
			name:  "read until close",
			reply: "HTTP/1.0 200 OK\r\n\r\nbye",
			want:  "HTTP/1.0 200 OK\n\nbye\n",
		},
		{
			name:    "bare LF",
			reply:   "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
			wantErr: `ends in a bare \n`,
		},
		{
			name:    "bare LF in chunk data",
			reply:   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\n0\r\n\r\n",
			wantErr: `is not followed by \r\n`,
		},
		{
			name:    "bad date",
			reply:   "HTTP/1.1 200 OK\r\nDate: yesterday\r\nContent-Length: 0\r\n\r\n",
			wantErr: "not an IMF-fixdate",
		},
		{
			name:    "short body",
			reply:   "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
			wantErr: "reading a 10-byte body",
		},
		{
			name:    "not HTTP",
			reply:   "hello\r\n",
			wantErr: "is not HTTP/1.x NNN reason",
		},
		{
			name:    "closed before anything",
			reply:   "",
			wantErr: "closed the connection before the status line",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveOnce(t, tt.reply)
			got, err := c.readResponse(tt.head)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("readResponse(%q) error = %v, want one containing %q", tt.reply, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("readResponse(%q) = %q, %v; want %q", tt.reply, got, err, tt.want)
			}
		})
	}
}

// TestHistory: a failure on a connection recalls the sends before it and
// the responses read on it, so a learner sees which of pipelined
// requests the failure is about.
func TestHistory(t *testing.T) {
	c := &conn{}
	if h := c.history("c1"); h != "" {
		t.Errorf("history of a fresh connection = %q, want none", h)
	}
	c.sent([]byte("GET /a HTTP/1.1\r\n\r\n"))
	if h := c.history("c1"); h != "" {
		t.Errorf("history after one send, no response = %q, want none (the failure shows the send)", h)
	}
	c.answer("HTTP/1.1 201 Created")
	h := c.history("c1")
	if !strings.Contains(h, "responses read on connection c1 before this point: 1:\n    HTTP/1.1 201 Created") {
		t.Errorf("history after one response = %q, want it counted with its status line", h)
	}
	c.sent([]byte("GET /b HTTP/1.1\r\n\r\n"))
	for range keptSends + 2 {
		c.answer("HTTP/1.1 200 OK")
	}
	h = c.history("c1")
	if !strings.Contains(h, "sent on connection c1 so far (the last 2 sends)") ||
		!strings.Contains(h, fmt.Sprintf("before this point: %d, the last %d:", keptSends+3, keptSends)) ||
		strings.Contains(h, "201") {
		t.Errorf("history = %q, want both sends, %d responses counted and only the last %d status lines", h, keptSends+3, keptSends)
	}
}

func TestEchoCheckCatchesDroppedBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A broken echo server: it drops every 1000th byte.
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				var n int
				for {
					m, err := c.Read(buf)
					for i := 0; i < m; i++ {
						if n++; n%1000 != 0 {
							c.Write(buf[i : i+1])
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	err = echoCheck(ln.Addr().String(), 2, 5000, true)
	if err == nil || !strings.Contains(err.Error(), "want 5000") {
		t.Errorf("echoCheck against a lossy server = %v, want a length mismatch", err)
	}
}

// TestCommandsDoNotShadowBuiltins guards against a command named like one
// of testscript's own: testscript runs its builtin, so a script calling
// ours would silently do something else (its `stop` ends the script as a
// pass, skipping every check after it).
func TestCommandsDoNotShadowBuiltins(t *testing.T) {
	builtins := []string{
		"cd", "chmod", "cmp", "cmpenv", "cp", "env", "exec", "exists", "grep",
		"kill", "mkdir", "mv", "rm", "skip", "stderr", "stdin", "stdout", "stop",
		"symlink", "ttyin", "ttyout", "unquote", "wait",
	}
	cmds := Commands()
	for _, name := range builtins {
		if _, ok := cmds[name]; ok {
			t.Errorf("harness command %q has the name of a testscript builtin, which wins", name)
		}
	}
}

func TestJSONDiff(t *testing.T) {
	tests := []struct {
		name, want, got string
		equal           bool
		path            string
	}{
		{"spacing and member order", `{"a":1,"b":[1,"x"]}`, "{ \"b\": [ 1, \"\\u0078\" ],\n \"a\": 1.0 }", true, "$"},
		{"array order counts", `{"h":[["A","1"],["B","2"]]}`, `{"h":[["B","2"],["A","1"]]}`, false, "$.h[0][0]"},
		{"missing member", `{"a":1,"body":""}`, `{"a":1}`, false, "$.body"},
		{"extra element", `[1]`, `[1,2]`, false, "$[1]"},
		{"string vs number", `{"n":"1"}`, `{"n":1}`, false, "$.n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := decodeJSON(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeJSON(tt.got)
			if err != nil {
				t.Fatal(err)
			}
			if path, eq := jsonDiff("$", want, got); eq != tt.equal || path != tt.path {
				t.Errorf("jsonDiff(%s, %s) = %s, %v; want %s, %v", tt.want, tt.got, path, eq, tt.path, tt.equal)
			}
		})
	}
}

func TestResponseBody(t *testing.T) {
	if got := responseBody("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"a\":1}\n"); got != "{\"a\":1}\n" {
		t.Errorf("responseBody = %q", got)
	}
	chunked := "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\n{\"a\":\n3\n1}\n\n0\n\n"
	if got := responseBody(chunked); got != "{\"a\":1}\n" {
		t.Errorf("responseBody(chunked) = %q", got)
	}
	if got := responseBody(`{"a":1}`); got != `{"a":1}` {
		t.Errorf("responseBody(plain JSON) = %q", got)
	}
}

func TestOutputTail(t *testing.T) {
	if got := outputTail("\n\n", 3); got != "" {
		t.Errorf("outputTail(blank) = %q, want nothing", got)
	}
	got := outputTail("1\n2\n3\n4\n5\n", 2)
	if want := "server output (last 2 of 5 lines):\n| 4\n| 5\n"; got != want {
		t.Errorf("outputTail = %q, want %q", got, want)
	}
}

// TestFirstDifference: cmpbody says where a body first differs.
func TestFirstDifference(t *testing.T) {
	for _, tc := range []struct{ want, got, say string }{
		{"line 1\nline 2\n", "line 1\nline 3\n", ", from byte 12"},
		{"line 1\n", "line 1\nline 2\n", ": it goes on after the expected end"},
		{"line 1\nline 2\n", "line 1\n", ": it ends early"},
		{"abc", "xbc", ", from byte 0"},
	} {
		if got := firstDifference(tc.want, tc.got); got != tc.say {
			t.Errorf("firstDifference(%q, %q) = %q, want %q", tc.want, tc.got, got, tc.say)
		}
	}
}

// TestBareLFFailure: a response line that ends in a bare \n fails as a
// failure of its own kind, whatever the check: it shows the bytes that
// came (not "no bytes"), and its fix is about line ends.
func TestBareLFFailure(t *testing.T) {
	reply := "HTTP/1.1 200 OK\nContent-Length: 2\nConnection: close\n\nhi"
	c := serveOnce(t, reply)
	time.Sleep(50 * time.Millisecond) // the whole reply arrives
	text, err := c.readResponse(false)
	var le *lineEndError
	if !errors.As(err, &le) {
		t.Fatalf("readResponse(%q) error = %v, want a *lineEndError", reply, err)
	}
	got := responseGot(text, c.received(), err)
	if want := "the bytes received so far: " + quote([]byte(reply)); got != want {
		t.Errorf("responseGot = %q, want %q", got, want)
	}
	if fix := lineEndHint(le); !strings.Contains(fix, "header line") || !strings.Contains(fix, `"\r\n\r\n"`) {
		t.Errorf("lineEndHint = %q, want the head's lines and its end named", fix)
	}

	c = serveOnce(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n")
	text, err = c.readResponse(false)
	if !errors.As(err, &le) || !strings.Contains(lineEndHint(le), "chunk-size line") {
		t.Errorf("bare LF after a chunk size: error %v, want a *lineEndError whose fix names chunk-size lines", err)
	}
	if r := c.received(); r != nil {
		t.Errorf("received after a whole head = %q, want nil (the failure shows the response as read)", r)
	}
	if got := responseGot(text, nil, err); !strings.HasPrefix(got, "the response read so far:") {
		t.Errorf("responseGot after the head = %q", got)
	}

	c = serveOnce(t, "")
	text, err = c.readResponse(false)
	if got := responseGot(text, c.received(), err); got != "no bytes" {
		t.Errorf("responseGot for a closed connection = %q, want no bytes", got)
	}
}

// TestOutputReport: what a server wrote before it was found ready (at
// startup, or on the readiness probe) is shown apart from what it wrote
// during the check.
func TestOutputReport(t *testing.T) {
	if got := outputReport("listening\nGET /\n", 0); got != "server output (2 lines):\n| listening\n| GET /\n" {
		t.Errorf("outputReport, all during the check = %q", got)
	}
	if got := outputReport("\nGET /\n", 1); got != "server output (2 lines):\n| \n| GET /\n" {
		t.Errorf("outputReport, blank before ready = %q, want one block", got)
	}
	got := outputReport("Traceback\nValueError: expected 3, got 0\nGET /\n", len("Traceback\nValueError: expected 3, got 0\n"))
	want := "server output before the check began (2 lines), at startup or on the\n" +
		"readiness probe (a connection that opens, then closes without sending a byte):\n" +
		"| Traceback\n| ValueError: expected 3, got 0\n" +
		"server output since:\n| GET /\n"
	if got != want {
		t.Errorf("outputReport, a crash on the probe =\n%s\nwant\n%s", got, want)
	}
	if got := outputReport("Traceback\n", 10); !strings.HasPrefix(got, "server output before the check began, at startup") || strings.Contains(got, "since") {
		t.Errorf("outputReport, nothing during the check = %q", got)
	}
}

// TestScriptsSendNoVariables: a send's text is one quoted string, so that
// a failure shows the bytes it sent; a variable ('GET /'$A) would show as
// its name. Long payloads use \{N*TEXT}.
func TestScriptsSendNoVariables(t *testing.T) {
	files, err := filepath.Glob("../../testdata/*/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(a.Comment), "\n") {
			fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "! "))
			if len(fields) == 0 || fields[0] != "send" {
				continue
			}
			arg := strings.TrimSpace(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "! "))[len("send"):])
			if len(fields) > 2 && fields[1] == "-c" {
				arg = strings.TrimSpace(strings.TrimSpace(arg[len("-c"):])[len(fields[2]):])
			}
			quoted := len(arg) >= 2 && arg[0] == '\'' && arg[len(arg)-1] == '\''
			if !quoted || strings.Contains(strings.ReplaceAll(arg[1:len(arg)-1], "''", ""), "'") {
				t.Errorf("%s:%d: send %s: want one quoted text (use \\{N*TEXT} for long runs)", f, i+1, arg)
				continue
			}
			if _, err := Unescape(strings.ReplaceAll(arg[1:len(arg)-1], "''", "'")); err != nil {
				t.Errorf("%s:%d: %v", f, i+1, err)
			}
		}
	}
}

// loglines counts matches as testscript's grep -count does, and shows the
// lines that do not match: a torn access-log line is what a learner must
// see.
func TestMatchingLines(t *testing.T) {
	re := regexp.MustCompile(`(?m)^\{.*\}$`)
	n, got := matchingLines(re, []byte("{\"a\":1}\n{\"b\":\n2}\n{\"c\":3}\n"))
	want := "2 in 4 line(s); 2 line(s) do not match, such as:\n          | {\"b\":\n          | 2}"
	if n != 2 || got != want {
		t.Errorf("matchingLines = %d, %q; want 2, %q", n, got, want)
	}
	if n, got := matchingLines(re, []byte("{}\n")); n != 1 || got != "1 in 1 line(s)" {
		t.Errorf("matchingLines of one good line = %d, %q", n, got)
	}
}
