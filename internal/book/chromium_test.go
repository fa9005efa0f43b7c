package book

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// browsers are the names a headless Chromium goes by.
var browsers = []string{"chromium", "chromium-browser", "google-chrome"}

// findBrowser returns a Chromium on PATH, or skips the test.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range browsers {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("no headless browser: put one of %s on PATH (e.g. apt-get install chromium) to load the book in it", strings.Join(browsers, ", "))
	return ""
}

// dumpDOM loads url in headless Chromium and returns the DOM once the
// page has loaded (images included), as Chromium serializes it. The book
// runs no script, so any message on the page's console (Chromium logs
// them as ":CONSOLE" lines) fails the test.
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	profile, err := os.MkdirTemp("", "book-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers may still be writing the profile as it exits:
	// remove it best-effort rather than fail the test.
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless=new", "--disable-gpu", "--no-sandbox",
		"--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
		"--enable-logging=stderr", "--v=0",
		"--user-data-dir="+profile, "--dump-dom", url)
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --dump-dom %s: %v", browser, url, err)
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			t.Errorf("%s: the browser's console says: %s", url, line)
		}
	}
	return string(out)
}

// TestInBrowser loads the book's pages in headless Chromium: each page's
// DOM has its heading, and the images a lesson shows decode.
func TestInBrowser(t *testing.T) {
	browser := findBrowser(t)
	b, dir := newBook(t)
	writeProgress(t, dir, "ch01")
	base := serveBook(t, b)
	for _, tt := range []struct{ path, want string }{
		{"/", `<li class="next">`},
		{"/ch01", `<h1 id="chapter-1-`},
		{"/ch06", `<h1 id="chapter-6-prefork-workers">`},
		{"/final", `id="what-the-checks-require"`},
		{"/bench", "No comparison yet"},
		{"/nope", "<h1>Not found</h1>"},
	} {
		dom := dumpDOM(t, browser, base+tt.path)
		if !strings.Contains(dom, tt.want) {
			t.Errorf("%s in Chromium: the DOM lacks %q", tt.path, tt.want)
		}
		checkImages(t, base, dom)
	}

	// An image beside a lesson decodes in the browser: a page that shows
	// it records its width once it loads (the DOM is dumped after the
	// load event, which waits for images).
	fake, err := New(Config{Files: lessonFS(), Stages: testStages()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", fake)
	mux.HandleFunc("GET /imgcheck", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><body><img src="/ch01/wire.svg" ` +
			`onload="document.body.setAttribute('data-width', this.naturalWidth)" ` +
			`onerror="document.body.setAttribute('data-width', 'error')"></body>`))
	})
	fakeBase := serveBook(t, mux)
	dom := dumpDOM(t, browser, fakeBase+"/ch01")
	if !strings.Contains(dom, `<img src="/ch01/wire.svg" alt="the wire">`) {
		t.Errorf("/ch01 of the test lesson in Chromium lacks its image")
	}
	if dom := dumpDOM(t, browser, fakeBase+"/imgcheck"); !strings.Contains(dom, `data-width="40"`) {
		t.Errorf("the lesson's SVG did not decode in Chromium: %s", dom)
	}

	// The course's own diagrams decode too, each at its drawn width.
	diagrams := http.NewServeMux()
	diagrams.Handle("/", b)
	diagrams.HandleFunc("GET /imgcheck", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><body><img src="` + r.URL.Query().Get("src") + `" ` +
			`onload="document.body.setAttribute('data-width', this.naturalWidth)" ` +
			`onerror="document.body.setAttribute('data-width', 'error')"></body>`))
	})
	realBase := serveBook(t, diagrams)
	for _, src := range []string{"/ch01/accept-loop.svg", "/ch02/request-anatomy.svg", "/ch02/smuggling.svg",
		"/ch05/keepalive-timeline.svg", "/ch06/prefork.svg", "/ch07/shutdown-states.svg"} {
		dom := dumpDOM(t, browser, realBase+"/imgcheck?src="+src)
		if !strings.Contains(dom, `data-width="860"`) {
			t.Errorf("%s did not decode at its width of 860 in Chromium: %s", src, dom)
		}
	}
}
