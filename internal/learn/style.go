package learn

import (
	"fmt"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// style colors what one writer shows. Colors are on only when the writer
// is a terminal and neither NO_COLOR nor --no-color asked them off; each
// color is built here, once, and never through fatih/color's global switch,
// so two writers (a terminal and a pipe) can differ.
type style struct {
	w                                           io.Writer
	on                                          bool
	title, ok, bad, warn, dim, code, heading, b *color.Color
}

func newStyle(w io.Writer, noColor bool) *style {
	on := !noColor && isTerminal(w)
	s := &style{w: w, on: on}
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	s.title = mk(color.Bold, color.FgCyan)
	s.ok = mk(color.FgGreen)
	s.bad = mk(color.Bold, color.FgRed)
	s.warn = mk(color.FgYellow)
	s.dim = mk(color.Faint)
	s.code = mk(color.FgCyan)
	s.heading = mk(color.Bold, color.FgMagenta)
	s.b = mk(color.Bold)
	return s
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// to returns a copy of s, with the same colors, that writes to w.
func (s *style) to(w io.Writer) *style {
	c := *s
	c.w = w
	return &c
}

// printf writes plain text.
func (s *style) printf(format string, args ...any) {
	fmt.Fprintf(s.w, format, args...)
}

// fail writes one red error line.
func (s *style) fail(format string, args ...any) {
	s.bad.Fprintf(s.w, format, args...)
	fmt.Fprintln(s.w)
}

// status colors a status code by its class, for the console access log:
// 2xx green, 3xx cyan, 4xx yellow, 5xx red. It is nil when colors are off,
// so the log stays plain text.
func (s *style) statusFunc() func(code int, text string) string {
	if !s.on {
		return nil
	}
	return func(code int, text string) string {
		switch {
		case code >= 500:
			return s.bad.Sprint(text)
		case code >= 400:
			return s.warn.Sprint(text)
		case code >= 300:
			return s.code.Sprint(text)
		default:
			return s.ok.Sprint(text)
		}
	}
}
