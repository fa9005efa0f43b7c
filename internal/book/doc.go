// Package book serves the course as a web book: an index of the stages
// with the learner's progress, one page per lesson, and a page charting
// the learner's `learn bench --compare` runs.
//
// A Book is an http.Handler. `learn book` serves it on the course's own
// final server; tests serve it on httptest or on final.Server too. Every
// page is built from files the learn binary carries (the lessons, their
// images, the templates and the style sheet), so the book works offline.
//
// Lessons are Markdown, rendered with goldmark (GitHub tables, heading
// IDs) and highlighted with chroma, using CSS classes whose colors follow
// the reader's light or dark preference. Rendering rewrites what only
// makes sense in the repository:
//
//   - links between lessons (../ch05/README.md, chapters/ch05/README.md)
//     point at the book's pages (/ch05);
//   - images beside a lesson (![..](wire.svg)) point at /ch05/wire.svg,
//     served from the embedded files;
//   - a <!-- from: path --> comment before a code block, which names the
//     file an excerpt comes from, becomes a caption above the block.
//
// The learner's progress and bench results are read on every request
// from the config directory `learn` writes them to (progress.json and
// bench.json), so the index and the charts are current after each
// `learn check` and `learn bench --compare`.
package book
