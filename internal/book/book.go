package book

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sync"

	course "github.com/httpfromscratch/course"
	"github.com/httpfromscratch/course/internal/stages"
)

// Config says where a Book finds what it shows.
type Config struct {
	// ConfigDir is the directory `learn` keeps the learner's record in:
	// progress.json (stages passed with `learn check`) and bench.json
	// (the last `learn bench --compare` runs). Empty: no progress, no
	// runs.
	ConfigDir string
	// Files holds the lessons and their images, with paths as in the
	// repository ("chapters/ch01/README.md"). Nil: the embedded course.
	Files fs.FS
	// Stages are the course's stages, in order. Nil: stages.All().
	Stages []stages.Stage
}

// Book is the web book, an http.Handler answering GET and HEAD:
//
//	/              the stages, the learner's progress, what to do next
//	/ch01 … /final one lesson
//	/ch01/x.svg    an image beside a lesson
//	/bench         charts of the learner's `learn bench --compare` runs
//	/book.css      the style sheet
//
// Anything else is a 404 page with a link home.
type Book struct {
	cfg Config
	mux *http.ServeMux
	css []byte

	mu      sync.Mutex
	lessons map[string]*lesson // rendered once, on first request
}

// New returns a Book for cfg.
func New(cfg Config) (*Book, error) {
	if cfg.Files == nil {
		cfg.Files = course.Files
	}
	if cfg.Stages == nil {
		cfg.Stages = stages.All()
	}
	css, err := styleSheet()
	if err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	b := &Book{cfg: cfg, css: css, lessons: map[string]*lesson{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", b.index)
	mux.HandleFunc("GET /book.css", b.styleSheet)
	mux.HandleFunc("GET /bench", b.bench)
	mux.HandleFunc("GET /{page}", b.lesson)
	mux.HandleFunc("GET /{page}/{file}", b.asset)
	mux.HandleFunc("/", b.notFound)
	b.mux = mux
	return b, nil
}

// ServeHTTP answers one request.
func (b *Book) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	b.mux.ServeHTTP(w, r)
}

// stage returns the stage whose id is id.
func (b *Book) stage(id string) (stages.Stage, bool) {
	for _, st := range b.cfg.Stages {
		if st.ID == id {
			return st, true
		}
	}
	return stages.Stage{}, false
}

// stageDir is the directory of a stage's lesson: "chapters/ch01", "final".
func stageDir(st stages.Stage) string { return path.Dir(st.LessonPath()) }

// render executes a page's template into a buffer first, so a template
// error is a clean 500 rather than half a page.
func (b *Book) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "book: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// styleSheet serves the CSS: the book's own and chroma's.
func (b *Book) styleSheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b.css)
}
