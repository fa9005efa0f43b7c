package learn

import (
	"github.com/httpfromscratch/course/internal/stages"
)

// ListCmd lists the stages in course order.
type ListCmd struct{}

// Run prints one line per stage: id, title, and what is new, or that the
// stage is not written yet.
func (c *ListCmd) Run(a *App) error {
	s := a.style
	p, err := a.loadProgress()
	if err != nil {
		a.style.warn.Fprintf(a.Stderr, "learn: %v\n", err)
	}
	s.title.Fprintln(s.w, "Build an HTTP server in Go, one chapter at a time")
	s.printf("\n")
	for _, st := range stages.All() {
		mark := " "
		if _, ok := p.Passed[st.ID]; ok {
			mark = s.ok.Sprint("✓")
		}
		if st.Ready() {
			s.printf("%s %-5s  %-19s %s\n", mark, s.b.Sprint(st.ID), st.Title, st.Summary)
		} else {
			s.printf("%s %-5s  %-19s %s\n", mark, s.dim.Sprint(st.ID), st.Title, s.dim.Sprint("(not written yet)"))
		}
	}
	if len(p.Passed) > 0 {
		s.printf("\n%s your server passed `learn check` for that stage; `learn next` says what comes next.\n", s.ok.Sprint("✓"))
	}
	s.printf("\nRead a lesson with %s, run its server with %s, test it with %s;\ncheck your own server with %s.\n",
		s.code.Sprint("learn read ch01"), s.code.Sprint("learn run ch01"), s.code.Sprint("learn test ch01"),
		s.code.Sprint("learn check ch01 -- COMMAND"))
	return nil
}
