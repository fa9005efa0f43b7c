package learn

import (
	"regexp"
	"strings"
)

// Inline Markdown the terminal renderer styles: `code` and **bold**.
var (
	inlineCode = regexp.MustCompile("`[^`]+`")
	inlineBold = regexp.MustCompile(`\*\*[^*]+\*\*`)
	// fromNote names the file the code excerpt below it comes from
	// (<!-- from: chapters/ch06/master.go -->): shown as a dim label.
	fromNote = regexp.MustCompile(`^<!-- from: (\S+) -->$`)
	// image is a diagram on a line of its own, ![what it shows](file.svg):
	// a terminal shows what it shows, and names the file.
	image = regexp.MustCompile(`^!\[(.*)\]\((\S+)\)$`)
)

// renderMarkdown prints a lesson for a terminal: headings bold and
// colored, fenced code indented and colored, inline code and bold styled.
// It is deliberately small: lessons use plain Markdown, and any construct
// it does not know prints as written, which stays readable.
func renderMarkdown(s *style, md string) {
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inFence = !inFence
			if inFence {
				s.printf("\n")
			}
		case inFence:
			s.printf("    %s\n", s.code.Sprint(strings.ReplaceAll(line, "\t", "    ")))
		case fromNote.MatchString(trimmed):
			s.printf("\n    %s", s.dim.Sprint(fromNote.FindStringSubmatch(trimmed)[1]+":"))
		case image.MatchString(trimmed):
			m := image.FindStringSubmatch(trimmed)
			s.printf("%s %s\n", s.dim.Sprint("["+m[2]+"]"), strings.TrimPrefix(m[1], "Diagram: "))
		case strings.HasPrefix(line, "# "):
			title := strings.TrimPrefix(line, "# ")
			s.printf("%s\n%s\n", s.title.Sprint(title), s.title.Sprint(strings.Repeat("═", len([]rune(title)))))
		case strings.HasPrefix(line, "#"):
			level := len(line) - len(strings.TrimLeft(line, "#"))
			s.printf("%s\n", s.heading.Sprint(strings.Repeat("▸", level-1)+" "+strings.TrimSpace(line[level:])))
		default:
			s.printf("%s\n", renderInline(s, line))
		}
	}
}

func renderInline(s *style, line string) string {
	line = inlineCode.ReplaceAllStringFunc(line, func(m string) string {
		return s.code.Sprint(strings.Trim(m, "`"))
	})
	return inlineBold.ReplaceAllStringFunc(line, func(m string) string {
		return s.b.Sprint(strings.Trim(m, "*"))
	})
}
