package demo

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// noFlush hides the recorder's Flush, as a server without Flush support
// would.
type noFlush struct{ http.ResponseWriter }

// TestStreamWithoutFlush proves /stream still writes every line when the
// server cannot flush: the lines then arrive together.
func TestStreamWithoutFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	New().ServeHTTP(noFlush{rec}, httptest.NewRequest("GET", "/stream?n=2", nil))
	if want := "line 1\nline 2\n"; rec.Code != 200 || rec.Body.String() != want || rec.Flushed {
		t.Errorf("ServeHTTP(GET /stream?n=2) without Flush = %d %q flushed=%v, want 200 %q unflushed",
			rec.Code, rec.Body.String(), rec.Flushed, want)
	}
}

// failingWriter accepts ok writes, then fails every one, as a connection
// to a client that went away does.
type failingWriter struct {
	discardWriter
	ok, writes int
}

var errGone = errors.New("client gone")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > w.ok {
		return 0, errGone
	}
	return len(p), nil
}

// TestStreamStopsOnWriteError proves /stream gives up at the first failed
// write instead of formatting the remaining lines for nobody.
func TestStreamStopsOnWriteError(t *testing.T) {
	w := &failingWriter{discardWriter: discardWriter{h: http.Header{}}, ok: 2}
	New().ServeHTTP(w, httptest.NewRequest("GET", "/stream?n=100", nil))
	if w.writes != 3 {
		t.Errorf("ServeHTTP(GET /stream?n=100) wrote %d times with writes failing after 2, want 3", w.writes)
	}
}

// TestStreamMax proves the largest n is accepted and written in full.
func TestStreamMax(t *testing.T) {
	rec := serve(t, httptest.NewRequest("GET", "/stream?n=10000", nil))
	lines := strings.SplitAfter(rec.Body.String(), "\n")
	if rec.Code != 200 || len(lines) != MaxStreamLines+1 || lines[MaxStreamLines-1] != "line 10000\n" {
		t.Errorf("ServeHTTP(GET /stream?n=10000) = %d, %d lines, last %q; want 200, 10000 lines, last %q",
			rec.Code, len(lines)-1, lines[len(lines)-2], "line 10000\n")
	}
	if !rec.Flushed {
		t.Errorf("ServeHTTP(GET /stream?n=10000) did not flush")
	}
}
