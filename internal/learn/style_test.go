package learn

import (
	"bytes"
	"strings"
	"testing"
)

func TestStyleOffForPipes(t *testing.T) {
	var buf bytes.Buffer
	s := newStyle(&buf, false) // a buffer is not a terminal
	s.fail("learn: %s", "boom")
	renderMarkdown(s, "# Title\n\nSome `code` and **bold**.\n")
	if strings.Contains(buf.String(), "\x1b[") {
		t.Errorf("output to a non-terminal has escape codes: %q", buf.String())
	}
}

func TestRenderMarkdown(t *testing.T) {
	var buf bytes.Buffer
	renderMarkdown(newStyle(&buf, true), "# Echo\n\n## Try it\n\n```\nnc 127.0.0.1 8080\n```\nUse `nc` **now**.\n![Diagram: a client and a server](echo.svg)\n")
	want := "Echo\n════\n\n▸ Try it\n\n\n    nc 127.0.0.1 8080\nUse nc now.\n[echo.svg] a client and a server\n\n"
	if got := buf.String(); got != want {
		t.Errorf("renderMarkdown = %q, want %q", got, want)
	}
}
