package kongexit

import (
	"io"
	"testing"

	"github.com/alecthomas/kong"
)

// run parses args with a one-flag CLI and returns 0, 2 for a parse error,
// or the status of kong's exit; -1 if kong exited and Recover missed it.
func run(t *testing.T, args ...string) (code int) {
	var cli struct {
		N int `help:"A number."`
	}
	parser, err := kong.New(&cli, kong.Writers(io.Discard, io.Discard), Option())
	if err != nil {
		t.Fatal(err)
	}
	code = -1
	defer Recover(&code)
	if _, err := parser.Parse(args); err != nil {
		return 2
	}
	return 0
}

func TestHelpReturnsItsStatus(t *testing.T) {
	if got := run(t, "--help"); got != 0 {
		t.Errorf("--help: status %d, want 0", got)
	}
	if got := run(t, "--n", "x"); got != 2 {
		t.Errorf("a bad flag: status %d, want 2", got)
	}
}

func TestRecoverReturnsTheStatus(t *testing.T) {
	got := func() (code int) {
		defer Recover(&code)
		panic(status(3))
	}()
	if got != 3 {
		t.Errorf("Recover after an exit with status 3 = %d", got)
	}
}

func TestOtherPanicsGoOn(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the original panic", r)
		}
	}()
	func() (code int) {
		defer Recover(&code)
		panic("boom")
	}()
}
