package book

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one template set per page, each the layout plus the page's
// "content".
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"date": func(t time.Time) string { return t.Local().Format("2 Jan 2006 15:04") },
	}
	m := map[string]*template.Template{}
	for _, name := range []string{"index", "lesson", "bench", "notfound"} {
		m[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/"+name+".html"))
	}
	return m
}()

// page is what the layout needs from every page.
type page struct {
	Title   string
	Current string     // the stage shown, for the navigation
	Nav     []stageRow // every stage
	Warning string     // a problem reading the learner's record
}

// stageRow is one stage with the learner's progress.
type stageRow struct {
	ID, Title, Summary string
	Ready              bool
	Passed             bool
	PassedAt           time.Time
	Next               bool // the first stage not passed
}

// rows lists the stages with the learner's progress, the first one not
// passed marked Next, and a warning if the progress could not be read.
func (b *Book) rows() ([]stageRow, string) {
	p, err := loadProgress(b.cfg.ConfigDir)
	warning := ""
	if err != nil {
		warning = err.Error()
	}
	rows := make([]stageRow, 0, len(b.cfg.Stages))
	next := false
	for _, st := range b.cfg.Stages {
		at, ok := p.passed(st.ID)
		r := stageRow{ID: st.ID, Title: st.Title, Summary: st.Summary, Ready: st.Ready(), Passed: ok, PassedAt: at}
		if !ok && !next {
			r.Next, next = true, true
		}
		rows = append(rows, r)
	}
	return rows, warning
}

// index serves /: every stage, the learner's marks, and the next step.
func (b *Book) index(w http.ResponseWriter, r *http.Request) {
	rows, warning := b.rows()
	data := struct {
		page
		Next   *stageRow
		Passed int
	}{page: page{Title: "The stages", Nav: rows, Warning: warning}}
	for i := range rows {
		if rows[i].Passed {
			data.Passed++
		}
		if rows[i].Next {
			data.Next = &rows[i]
		}
	}
	b.render(w, http.StatusOK, "index", data)
}

// lesson serves /chNN and /final.
func (b *Book) lesson(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("page")
	st, ok := b.stage(id)
	if !ok {
		b.notFound(w, r)
		return
	}
	l, err := b.renderLesson(st)
	if err != nil {
		b.notFoundMessage(w, r, err.Error())
		return
	}
	rows, warning := b.rows()
	data := struct {
		page
		Lesson     *lesson
		Stage      stageRow
		Prev, Next *stageRow
	}{page: page{Title: l.Title, Current: id, Nav: rows, Warning: warning}, Lesson: l}
	for i := range rows {
		if rows[i].ID != id {
			continue
		}
		data.Stage = rows[i]
		if i > 0 {
			data.Prev = &rows[i-1]
		}
		if i+1 < len(rows) {
			data.Next = &rows[i+1]
		}
	}
	if data.Title == "" {
		data.Title = st.ID + " · " + st.Title
	}
	b.render(w, http.StatusOK, "lesson", data)
}

// asset serves an image beside a lesson: /ch06/wire.svg is
// chapters/ch06/wire.svg in the course files. /ch06/README.md, the
// lesson's own file, redirects to its page.
func (b *Book) asset(w http.ResponseWriter, r *http.Request) {
	st, ok := b.stage(r.PathValue("page"))
	name := r.PathValue("file")
	if !ok {
		b.notFound(w, r)
		return
	}
	if name == path.Base(st.LessonPath()) {
		http.Redirect(w, r, "/"+st.ID, http.StatusMovedPermanently)
		return
	}
	ctype, ok := imageTypes[strings.ToLower(path.Ext(name))]
	if !ok {
		b.notFound(w, r)
		return
	}
	data, err := fs.ReadFile(b.cfg.Files, path.Join(stageDir(st), name))
	if err != nil {
		b.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	// An SVG opened on its own runs no script and loads nothing.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(data)
}

// notFound serves the 404 page, or 405 to a method other than GET and
// HEAD.
func (b *Book) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed: the book is read with GET", http.StatusMethodNotAllowed)
		return
	}
	b.notFoundMessage(w, r, "")
}

// notFoundMessage serves the 404 page with an explanation.
func (b *Book) notFoundMessage(w http.ResponseWriter, r *http.Request, msg string) {
	rows, _ := b.rows()
	data := struct {
		page
		Path, Message string
	}{page: page{Title: "Not found", Nav: rows}, Path: r.URL.Path, Message: msg}
	b.render(w, http.StatusNotFound, "notfound", data)
}
