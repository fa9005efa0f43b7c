package book

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/stages"
)

// serveBook serves h on the course's final server at 127.0.0.1:0 until
// the test ends, and returns its base URL. The listener is open when it
// returns: connections queue until Serve accepts them, so no wait is
// needed.
func serveBook(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &final.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// fetch GETs url and returns the status, content type and body.
func fetch(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), body
}

// TestOnFinalServer serves the book as `learn book` does, on the
// course's own server, and reads it over the wire.
func TestOnFinalServer(t *testing.T) {
	b, _ := newBook(t)
	base := serveBook(t, b)
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/", 200, "<h1>Build an HTTP/1.1 server"},
		{"/ch01", 200, `id="what-the-checks-require"`},
		{"/bench", 200, "No comparison yet"},
		{"/book.css", 200, ".chroma"},
		{"/nope", 404, `<a href="/">Back to the stages</a>`},
	} {
		status, _, body := fetch(t, base+tt.path)
		if status != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("GET %s: %d, want %d and a body with %q", tt.path, status, tt.status, tt.want)
		}
	}
}

// imgSrc finds the images a page shows.
var imgSrc = regexp.MustCompile(`<img[^>]* src="([^"]+)"`)

// checkImages GETs every image page shows from base: each must be there,
// an image, and an SVG must parse as XML.
func checkImages(t *testing.T, base, page string) int {
	t.Helper()
	n := 0
	for _, m := range imgSrc.FindAllStringSubmatch(page, -1) {
		src := m[1]
		if strings.Contains(src, "://") {
			t.Errorf("image %s is not served by the book: the book must work offline", src)
			continue
		}
		n++
		status, ctype, body := fetch(t, base+src)
		if status != 200 || !strings.HasPrefix(ctype, "image/") {
			t.Errorf("image %s: %d %s, want 200 and an image", src, status, ctype)
			continue
		}
		if ctype == "image/svg+xml" {
			if err := parseXML(body); err != nil {
				t.Errorf("image %s is not well-formed XML: %v", src, err)
			}
		}
	}
	return n
}

// parseXML reads a whole XML document.
func parseXML(data []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// TestLessonImages checks the images of every lesson of the course: an
// image a lesson shows must be embedded beside it (course.go's pattern).
func TestLessonImages(t *testing.T) {
	b, _ := newBook(t)
	base := serveBook(t, b)
	total := 0
	for _, st := range stages.All() {
		_, _, page := fetch(t, base+"/"+st.ID)
		total += checkImages(t, base, string(page))
	}
	t.Logf("%d images in the lessons", total)

	fake, err := New(Config{Files: lessonFS(), Stages: testStages()})
	if err != nil {
		t.Fatal(err)
	}
	fakeBase := serveBook(t, fake)
	_, _, page := fetch(t, fakeBase+"/ch01")
	if n := checkImages(t, fakeBase, string(page)); n != 1 {
		t.Errorf("the test lesson shows %d images, want 1", n)
	}
}
