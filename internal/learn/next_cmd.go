package learn

import (
	"os"

	"github.com/httpfromscratch/course/internal/stages"
)

// NextCmd names the first stage the learner has not passed yet.
type NextCmd struct{}

// Run prints the next stage and the commands that start it.
func (c *NextCmd) Run(a *App) error {
	p, err := a.loadProgress()
	if err != nil {
		a.style.warn.Fprintf(a.Stderr, "learn: %v\n", err)
	}
	s := a.style
	for _, st := range stages.All() {
		if _, done := p.Passed[st.ID]; done {
			continue
		}
		s.printf("Next: %s %s\n    %s\n\n", s.title.Sprint(st.ID), s.title.Sprint("· "+st.Title), st.Summary)
		s.printf("  %s   read the lesson\n", s.code.Sprint("learn read "+st.ID))
		if st.Ready() {
			s.printf("  %s    see the built-in stage at work\n", s.code.Sprint("learn run "+st.ID))
		}
		s.printf("  %s   check your own server\n", s.code.Sprint("learn check "+st.ID+" -- <your command>"))
		return nil
	}
	s.ok.Fprintln(s.w, "You have passed every stage. Run your own app on the final server: learn read final")
	return nil
}

// currentDir is the working directory, wrapped for a clear error.
func currentDir() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", usagef("find the current directory: %v", err)
	}
	return d, nil
}
