// Package course holds the files the learn binary carries with it: every
// lesson (chapters/chNN/README.md, final/README.md) and every over-the-wire
// check (testdata/chNN/*.txtar). Embedding them lets a `go install`ed learn
// read lessons and check a learner's server from any directory.
package course

import "embed"

// Files is the course's embedded file tree, with paths as in the repository:
// "chapters/ch01/README.md", "testdata/ch01/echo.txtar", and the diagrams
// beside the lessons, "chapters/ch06/prefork.svg" (the web book serves them).
//
//go:embed chapters/*/README.md chapters/*/*.svg final/README.md testdata
var Files embed.FS
