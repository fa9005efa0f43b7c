package harness

import (
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdCmpBody compares the body of the response printed in FILE (by
// `response`) with WANTFILE, byte for byte: a fixed text shown whole, as
// the learner's server must send it. The head is not compared (its
// spacing and case are free; other checks judge its fields). A chunked
// body is compared decoded, unless -framed asks for it as `response`
// prints it, one chunk's size line, data and end after another, which is
// how a check judges where the chunks fall.
//
//	cmpbody [-framed] FILE WANTFILE
func cmdCmpBody(ts *testscript.TestScript, neg bool, args []string) {
	framed := len(args) > 0 && args[0] == "-framed"
	if framed {
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: cmpbody [-framed] FILE WANTFILE")
	}
	text := ts.ReadFile(args[0])
	got := responseBody(text)
	if framed {
		_, got, _ = strings.Cut(text, "\n\n")
	}
	want := ts.ReadFile(args[1])
	switch {
	case got == want && neg:
		ts.Fatalf("cmpbody: the body equals %s, want something else", args[1])
	case got != want && !neg:
		ts.Fatalf("cmpbody: the body differs from %s%s\nexpected: %s\ngot:      %s",
			args[1], firstDifference(want, got), quote([]byte(want)), quote([]byte(got)))
	}
}

// firstDifference says where got first differs from want, as ", at byte
// N", or that one is a prefix of the other.
func firstDifference(want, got string) string {
	n := 0
	for n < len(want) && n < len(got) && want[n] == got[n] {
		n++
	}
	switch {
	case n == len(want):
		return ": it goes on after the expected end"
	case n == len(got):
		return ": it ends early"
	}
	return ", from byte " + strconv.Itoa(n)
}
