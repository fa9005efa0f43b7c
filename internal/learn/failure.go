package learn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/httpfromscratch/course/internal/harness"
)

// failure is what a learner needs to know about a failed check, read back
// from the script's testscript log: what the failing phase proves, what it
// sent, the command that failed and on which line, and what the command
// reported (a summary, then expected/got lines and the server's state).
type failure struct {
	Proves  string   // the failing phase's # comment
	Sent    []string // each send of the phase, escaped and cut
	Command string   // the failing command, as the script writes it
	Line    int      // its line in the script
	Report  []string // the summary, then "expected:", "got:" and server lines
}

var (
	// failLine is testscript's failure line: FAIL: FILE:LINE: MESSAGE.
	failLine = regexp.MustCompile(`^FAIL: .+?\.txtar:(\d+): (.*)$`)
	// phaseTime is the duration testscript appends to a phase's comment.
	phaseTime = regexp.MustCompile(`\s*\(\d+\.\d+s\)$`)
	// Messages of testscript's own commands, turned into expected/got.
	noMatch      = regexp.MustCompile("^no match for `(.*)` found in (\\S+)$")
	unexpected   = regexp.MustCompile("^unexpected match for `(.*)` found in (\\S+): (.*)$")
	filesDiffer  = regexp.MustCompile(`^(\S+) and (\S+) differ$`)
	shownOutLine = 12 // lines of a command's output a report shows
)

// parseFailure reads a failed script's log. It keeps only the last phase,
// the one that failed: testscript drops the details of phases that passed.
func parseFailure(log string) failure {
	var f failure
	var output []string // the last [stdout] block of the phase
	var diff []string   // the last diff testscript printed
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	inOutput, inDiff, prevComment := false, false, false
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "#"):
			// A comment opens a phase, unless it goes on the comment
			// before it; a phase that passed ends in its duration.
			if !prevComment {
				f, output, diff = failure{}, nil, nil
			}
			text := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			ended := phaseTime.MatchString(text)
			f.Proves = strings.TrimSpace(f.Proves + " " + phaseTime.ReplaceAllString(text, ""))
			prevComment, inOutput, inDiff = !ended, false, false
			if ended && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "#") {
				f.Proves = "" // a passed phase, cut to its comment
			}
			continue
		case strings.HasPrefix(line, "> "):
			f.Command = strings.TrimPrefix(line, "> ")
			if sent, ok := sentBytes(f.Command); ok {
				f.Sent = append(f.Sent, sent)
			}
			inOutput, inDiff = false, false
		case line == "[stdout]":
			output, inOutput, inDiff = nil, true, false
		case strings.HasPrefix(line, "diff "):
			diff, inDiff, inOutput = nil, true, false
		case failLine.MatchString(line):
			m := failLine.FindStringSubmatch(line)
			f.Line, _ = strconv.Atoi(m[1])
			f.Report = explain(append([]string{m[2]}, lines[i+1:]...), output, diff)
			return f
		case inOutput:
			output = append(output, line)
		case inDiff:
			diff = append(diff, line)
		}
		prevComment = false
	}
	return f
}

// sentBytes returns what a send command line sends, escaped and cut for
// the report, and whether the line is a send.
func sentBytes(command string) (string, bool) {
	fields := strings.Fields(command)
	if len(fields) < 2 || (fields[0] != "send" && fields[0] != "sendfile") {
		return "", false
	}
	on := ""
	if fields[1] == "-c" && len(fields) > 2 {
		on = " on connection " + fields[2]
	}
	if fields[0] == "sendfile" {
		return "the file " + fields[len(fields)-1] + on, true
	}
	start, end := strings.IndexByte(command, '\''), strings.LastIndexByte(command, '\'')
	if start < 0 || end <= start || strings.TrimSpace(command[end+1:]) != "" {
		// Not one quoted text ('GET /'$LONG): show it as the script writes it.
		arg := command[strings.Index(command, fields[1]):]
		if on != "" {
			arg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(arg, "-c"), " "+fields[2]))
		}
		return cutScript(arg) + " (as the script writes it)" + on, true
	}
	text := strings.ReplaceAll(command[start+1:end], "''", "'")
	data, err := harness.Unescape(text)
	if err != nil {
		return text + on, true
	}
	shown := harness.Escape(data)
	if len(data) > harness.ShownBytes {
		half := harness.ShownBytes / 2
		shown = fmt.Sprintf("%s … (%d bytes in all) … %s", harness.Escape(data[:half]), len(data), harness.Escape(data[len(data)-half:]))
	}
	return `"` + shown + `"` + on, true
}

// explain turns a failure message into the report's lines. Harness
// commands already say expected and got; testscript's own commands
// (stdout, cmp, grep, exists) are explained here from the output or diff
// the log shows before them.
func explain(message, output, diff []string) []string {
	for len(message) > 0 && strings.TrimSpace(message[len(message)-1]) == "" {
		message = message[:len(message)-1]
	}
	first := message[0]
	for _, l := range message {
		if strings.HasPrefix(l, "expected:") {
			return message
		}
	}
	switch {
	case noMatch.MatchString(first):
		m := noMatch.FindStringSubmatch(first)
		got := "no such line in " + m[2]
		if m[2] == "stdout" {
			got = "no such line in what came back:\n" + block(output)
		}
		return append([]string{"no line matches"}, "expected: a line matching "+m[1], "got:      "+got)
	case unexpected.MatchString(first):
		m := unexpected.FindStringSubmatch(first)
		return []string{"a line matches that must not", "expected: no line matching " + m[1] + " in " + m[2], "got:      " + m[3]}
	case filesDiffer.MatchString(first):
		return explainDiff(first, diff)
	}
	return append(message, "expected: the step to succeed", "got:      the error above")
}

// explainDiff reports a cmp failure: the lines cmp's diff shows on either
// side, and where the first differing line first differs.
func explainDiff(summary string, diff []string) []string {
	var got, want []string
	gotCut, wantCut := false, false // the side ends without a newline
	side := byte(0)
	for _, l := range diff {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "@@"):
		case strings.HasPrefix(l, `\ No newline`):
			gotCut = gotCut || side == '-'
			wantCut = wantCut || side == '+'
		case strings.HasPrefix(l, "-"):
			got, side = append(got, l[1:]), '-'
		case strings.HasPrefix(l, "+"):
			want, side = append(want, l[1:]), '+'
		default:
			side = 0
		}
	}
	shown := func(lines []string, cut bool) string {
		if cut {
			return block(lines) + "\n    (no line end after the last line)"
		}
		return block(lines)
	}
	out := []string{summary + " (the differing lines)",
		"expected:\n" + shown(want, wantCut),
		"got:\n" + shown(got, gotCut)}
	if len(got) > 0 && len(want) > 0 {
		i := firstDifference(want[0], got[0])
		if i < len(want[0]) || i < len(got[0]) {
			out = append(out, fmt.Sprintf("first difference: byte %d of the first differing line: expected %s, got %s",
				i+1, charAt(want[0], i), charAt(got[0], i)))
		} else if gotCut != wantCut {
			out = append(out, "first difference: the line end (\\n) after the last line")
		}
	}
	return out
}

// firstDifference is the index of the first byte where a and b differ.
func firstDifference(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// charAt names the byte at i, or the end of the line.
func charAt(s string, i int) string {
	if i >= len(s) {
		return "the end of the line"
	}
	return strconv.Quote(s[i : i+1])
}

// block shows lines indented under a report line, cut to shownOutLine.
func block(lines []string) string {
	if len(lines) == 0 {
		return "    (nothing)"
	}
	more := ""
	if len(lines) > shownOutLine {
		more = fmt.Sprintf("\n    … (%d more lines)", len(lines)-shownOutLine)
		lines = lines[:shownOutLine]
	}
	shown := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 2*harness.ShownBytes {
			l = l[:harness.ShownBytes] + fmt.Sprintf(" … (%d bytes in all)", len(l))
		}
		shown[i] = "    " + l
	}
	return strings.Join(shown, "\n") + more
}

// cutScript cuts a long script argument to its head and tail.
func cutScript(s string) string {
	if len(s) <= harness.ShownBytes {
		return s
	}
	half := harness.ShownBytes / 2
	return fmt.Sprintf("%s … (%d characters) … %s", s[:half], len(s), s[len(s)-half:])
}
