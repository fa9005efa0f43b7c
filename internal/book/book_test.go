package book

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/httpfromscratch/course/internal/stages"
)

// newBook returns a Book over the embedded course with a config
// directory of its own.
func newBook(t *testing.T) (*Book, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := New(Config{ConfigDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return b, dir
}

// get requests target from h and returns the status, content type and
// body.
func get(t *testing.T, h http.Handler, target string) (int, string, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(body)
}

// writeProgress records stages as passed in dir, as `learn check` does.
func writeProgress(t *testing.T, dir string, ids ...string) {
	t.Helper()
	passed := map[string]any{}
	for _, id := range ids {
		passed[id] = map[string]any{"at": time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), "checks": 3, "command": []string{"./server"}}
	}
	data, err := json.Marshal(map[string]any{"passed": passed})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ProgressFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRoutes(t *testing.T) {
	b, _ := newBook(t)
	tests := []struct {
		target, ctype string
		status        int
		want          []string
	}{
		{"/", "text/html", 200, []string{"<h1>Build an HTTP/1.1 server", `href="/ch01"`, `href="/final"`, "raw TCP echo", "learn read ch01", "learn check ch01 -- CMD"}},
		{"/ch01", "text/html", 200, []string{`<h1 id="chapter-1-`, `id="what-the-checks-require"`, `href="#what-the-checks-require"`, `<pre class="chroma">`}},
		{"/ch06", "text/html", 200, []string{`<h1 id="chapter-6-prefork-workers">`, `href="/ch05"`, `href="/ch07"`}},
		{"/final", "text/html", 200, []string{`id="what-the-checks-require"`}},
		{"/bench", "text/html", 200, []string{"No comparison yet", "learn bench --compare"}},
		{"/book.css", "text/css", 200, []string{"prefers-color-scheme: dark", ".chroma .k"}},
		{"/nope", "text/html", 404, []string{"Not found", `<a href="/">`, "/nope"}},
		{"/ch01/nope.svg", "text/html", 404, []string{"Not found"}},
		{"/ch01/server.go", "text/html", 404, []string{"Not found"}},
		{"/a/b/c", "text/html", 404, []string{"Not found"}},
	}
	for _, tt := range tests {
		status, ctype, body := get(t, b, tt.target)
		if status != tt.status || !strings.HasPrefix(ctype, tt.ctype) {
			t.Errorf("GET %s: %d %s, want %d %s", tt.target, status, ctype, tt.status, tt.ctype)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: body lacks %q", tt.target, w)
			}
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	b, _ := newBook(t)
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/ch01", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /ch01: %d, Allow %q; want 405, GET, HEAD", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestEveryLesson renders every stage's lesson: each has its title and
// the checks' section the lessons link to.
func TestEveryLesson(t *testing.T) {
	b, _ := newBook(t)
	for _, st := range stages.All() {
		status, _, body := get(t, b, "/"+st.ID)
		if status != 200 {
			t.Errorf("GET /%s: %d", st.ID, status)
			continue
		}
		if !strings.Contains(body, `id="what-the-checks-require"`) {
			t.Errorf("GET /%s: no #what-the-checks-require heading", st.ID)
		}
		if strings.Contains(body, "raw HTML omitted") {
			t.Errorf("GET /%s: an HTML comment was left in the page", st.ID)
		}
	}
}

func TestProgressMarks(t *testing.T) {
	b, dir := newBook(t)
	writeProgress(t, dir, "ch01")
	_, _, body := get(t, b, "/")
	if !regexp.MustCompile(`<li class="passed">\s*<span class="mark" aria-hidden="true">✓</span>\s*<a class="id" href="/ch01">`).MatchString(body) {
		t.Errorf("index does not mark ch01 passed:\n%s", section(body, "ch01"))
	}
	if !regexp.MustCompile(`<li class="next">\s*<span class="mark" aria-hidden="true">→</span>\s*<a class="id" href="/ch02">`).MatchString(body) {
		t.Errorf("index does not highlight ch02 as next:\n%s", section(body, "ch02"))
	}
	if strings.Count(body, `<li class="next">`) != 1 || strings.Count(body, `<li class="passed">`) != 1 {
		t.Errorf("index marks more than ch01 passed and ch02 next")
	}
	for _, w := range []string{`Next: <a href="/ch02">ch02 · request parser</a>`, "learn read ch02", "learn check ch02 -- CMD",
		fmt.Sprintf("1 of %d passed", len(stages.All()))} {
		if !strings.Contains(body, w) {
			t.Errorf("index lacks %q", w)
		}
	}
	_, _, ch01 := get(t, b, "/ch01")
	if !strings.Contains(ch01, "✓ Your server passed ch01") {
		t.Errorf("/ch01 does not say it passed")
	}
	_, _, ch02 := get(t, b, "/ch02")
	if !strings.Contains(ch02, "This is your next stage") {
		t.Errorf("/ch02 does not say it is next")
	}
}

func TestEverythingPassed(t *testing.T) {
	b, dir := newBook(t)
	writeProgress(t, dir, stages.IDs()...)
	_, _, body := get(t, b, "/")
	if !strings.Contains(body, "You have passed every stage") || strings.Contains(body, `<li class="next">`) {
		t.Errorf("index with every stage passed:\n%s", body)
	}
}

func TestBadProgressIsAWarning(t *testing.T) {
	b, dir := newBook(t)
	if err := os.WriteFile(filepath.Join(dir, ProgressFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, body := get(t, b, "/")
	if status != 200 || !strings.Contains(body, `class="warning"`) || !strings.Contains(body, "read progress") {
		t.Errorf("index with a broken progress file: %d, no warning", status)
	}
}

// section returns the part of body around the index row of id, for
// error messages.
func section(body, id string) string {
	i := strings.Index(body, `<a class="id" href="/`+id+`">`)
	if i < 0 {
		return "(no row for " + id + ")"
	}
	return body[max(0, i-120):min(len(body), i+200)]
}

// lessonFS is a course of one stage whose lesson exercises what the
// book rewrites.
func lessonFS() fstest.MapFS {
	return fstest.MapFS{
		"chapters/ch01/README.md": {Data: []byte(lessonMD)},
		"chapters/ch01/wire.svg":  {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="teal"/></svg>`)},
		"chapters/ch02/README.md": {Data: []byte("# Chapter 2\n\nBack to [one](../ch01/README.md#the-accept-loop).\n")},
	}
}

const lessonMD = "# Chapter 1: test\n\n" +
	"See [chapter 2](../ch02/README.md), [again](chapters/ch02/README.md#parsing), " +
	"[its dir](../ch02/), [the course](../../README.md), [Go](https://go.dev/), [below](#the-accept-loop) " +
	"and [a file](server.go).\n\n" +
	"![the wire](wire.svg)\n\n" +
	"## The accept loop\n\n" +
	"<!-- from: chapters/ch01/server.go -->\n" +
	"```go\nfor {\n\tc, err := ln.Accept()\n}\n```\n\n" +
	"<!-- a note for authors -->\n\n" +
	"| a | b |\n|---|---|\n| 1 | 2 |\n\n" +
	"## What the checks require\n\nAll of it.\n\n## `Serve` & <friends>\n"

func testStages() []stages.Stage {
	all := stages.All()
	return all[:2]
}

func TestLinkRewriting(t *testing.T) {
	b, err := New(Config{Files: lessonFS(), Stages: testStages()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := get(t, b, "/ch01")
	for _, w := range []string{
		`<a href="/ch02">chapter 2</a>`,
		`<a href="/ch02#parsing">again</a>`,
		`<a href="/ch02">its dir</a>`,
		`<a href="/">the course</a>`,
		`<a href="https://go.dev/">Go</a>`,
		`<a href="#the-accept-loop">below</a>`,
		`<a href="server.go">a file</a>`,
		`<img src="/ch01/wire.svg" alt="the wire">`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/ch01 lacks %s", w)
		}
	}
	_, _, ch2 := get(t, b, "/ch02")
	if !strings.Contains(ch2, `<a href="/ch01#the-accept-loop">one</a>`) {
		t.Errorf("/ch02 does not link back to /ch01#the-accept-loop")
	}
	status, ctype, svg := get(t, b, "/ch01/wire.svg")
	if status != 200 || ctype != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("GET /ch01/wire.svg: %d %s", status, ctype)
	}
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ch01/README.md", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/ch01" {
		t.Errorf("GET /ch01/README.md: %d to %q, want 301 to /ch01", rec.Code, rec.Header().Get("Location"))
	}
}

func TestHeadingsCaptionsAndTables(t *testing.T) {
	b, err := New(Config{Files: lessonFS(), Stages: testStages()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := get(t, b, "/ch01")
	for _, w := range []string{
		`<h1 id="chapter-1-test">Chapter 1: test</h1>`,
		`<h2 id="the-accept-loop">The accept loop</h2>`,
		`<h2 id="what-the-checks-require">What the checks require</h2>`,
		`<h2 id="serve--friends"><code>Serve</code> &amp; &lt;friends&gt;</h2>`,
		// the table of contents
		`<li><a href="#the-accept-loop">The accept loop</a></li>`,
		`<li><a href="#what-the-checks-require">What the checks require</a></li>`,
		// the source caption, above its highlighted block
		`<figure class="code"><figcaption>from <code>chapters/ch01/server.go</code></figcaption><pre class="chroma">`,
		`<span class="k">for</span>`,
		// GFM table
		"<table>", "<th>a</th>", "<td>2</td>",
		// a title of 1 level
		"<title>Chapter 1: test · HTTP from scratch</title>",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/ch01 lacks %s", w)
		}
	}
	for _, bad := range []string{"<!--", "a note for authors", "<friends>", "raw HTML omitted"} {
		if strings.Contains(body, bad) {
			t.Errorf("/ch01 contains %s", bad)
		}
	}
}
