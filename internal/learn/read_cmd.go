package learn

import (
	"github.com/httpfromscratch/course/internal/stages"
)

// ReadCmd shows a lesson.
type ReadCmd struct {
	Stage string `arg:"" help:"Stage whose lesson to show: ${stages}."`
	Raw   bool   `help:"Print the Markdown source as it is."`
}

// Run prints the lesson, rendered for the terminal unless --raw is given
// or the output is not a terminal.
func (c *ReadCmd) Run(a *App) error {
	st, err := stages.Lookup(c.Stage)
	if err != nil {
		return err
	}
	lesson, err := st.Lesson()
	if err != nil {
		return err
	}
	if c.Raw || !a.style.on {
		a.style.printf("%s", lesson)
		return nil
	}
	renderMarkdown(a.style, lesson)
	return nil
}
