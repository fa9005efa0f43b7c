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
	s.title.Fprintln(s.w, "Build an HTTP server in Go, one chapter at a time")
	s.printf("\n")
	for _, st := range stages.All() {
		if st.Ready() {
			s.printf("  %-5s  %-19s %s\n", s.b.Sprint(st.ID), st.Title, st.Summary)
		} else {
			s.printf("  %-5s  %-19s %s\n", s.dim.Sprint(st.ID), st.Title, s.dim.Sprint("(not written yet)"))
		}
	}
	s.printf("\nRead a lesson with %s, run its server with %s, check it with %s.\n",
		s.code.Sprint("learn read ch01"), s.code.Sprint("learn run ch01"), s.code.Sprint("learn test ch01"))
	return nil
}
