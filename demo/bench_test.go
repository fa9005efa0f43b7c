package demo

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is the cheapest ResponseWriter possible: it reuses one
// header map and drops the body, so a benchmark through it measures the
// handler alone.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// reset readies w for the next request without freeing the map's storage.
func (w *discardWriter) reset() {
	clear(w.h)
	w.code = 0
}

// TestHelloAllocs holds GET / to its promise: the handler itself
// allocates nothing, so a server's allocations per request are its own.
func TestHelloAllocs(t *testing.T) {
	h := New()
	req := httptest.NewRequest("GET", "/", nil)
	w := &discardWriter{h: http.Header{}}
	allocs := testing.AllocsPerRun(100, func() {
		w.reset()
		h.ServeHTTP(w, req)
	})
	if allocs != 0 {
		t.Errorf("ServeHTTP(GET /) allocated %v times per request, want 0", allocs)
	}
}

// BenchmarkHello serves GET / through a fresh httptest.ResponseRecorder
// each time: the recorder's own allocations (its header map, the header
// snapshot it takes, its body buffer) are counted too.
func BenchmarkHello(b *testing.B) {
	h := New()
	req := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkHelloHandler serves GET / through discardWriter: the handler's
// own cost, routing included.
func BenchmarkHelloHandler(b *testing.B) {
	h := New()
	req := httptest.NewRequest("GET", "/", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
	}
}

// BenchmarkHelloServeMux routes the same GET / through an http.ServeMux
// pattern instead of New's switch, the alternative New does not take.
func BenchmarkHelloServeMux(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", serveHello)
	mux.Handle("/", New())
	req := httptest.NewRequest("GET", "/", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		mux.ServeHTTP(w, req)
	}
}

// BenchmarkEcho is the most expensive everyday route: it reads the body
// and encodes JSON.
func BenchmarkEcho(b *testing.B) {
	h := New()
	req := httptest.NewRequest("POST", "/echo", http.NoBody)
	req.Header["X-Test"] = []string{"a", "b"}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
	}
}
