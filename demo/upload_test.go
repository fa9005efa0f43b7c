package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// pattern is an endless, deterministic stream of bytes 0, 1, ..., 250, 0,
// ...: 251 is prime, so a chunk boundary that loses or repeats bytes
// changes the hash.
type pattern struct{ off int }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.off % 251)
		p.off++
	}
	return len(b), nil
}

// patternSum returns the SHA-256 of the first n bytes of pattern, in hex.
func patternSum(t *testing.T, n int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.CopyN(h, &pattern{}, n); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestUploadStreams proves /upload hashes a body far larger than what it
// allocates: the body never sits in memory whole.
func TestUploadStreams(t *testing.T) {
	const size = 32 << 20 // 32 MiB
	const maxAlloc = 1 << 20
	want := patternSum(t, size)
	req := httptest.NewRequest("POST", "/upload", io.LimitReader(&pattern{}, size))
	rec := httptest.NewRecorder()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	New().ServeHTTP(rec, req)
	runtime.ReadMemStats(&after)

	var got uploadReply
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("ServeHTTP(POST /upload) = %d %q: %v", rec.Code, rec.Body.String(), err)
	}
	if got.Bytes != size || got.SHA256 != want {
		t.Errorf("ServeHTTP(POST /upload, %d bytes) = %+v, want {Bytes:%d SHA256:%s}", size, got, size, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
		t.Errorf("ServeHTTP(POST /upload, %d bytes) allocated %d bytes, want at most %d", size, alloc, maxAlloc)
	}
}

// TestUploadNetHTTP streams an 8 MiB body of unknown length to /upload on
// a net/http server, so the client sends it chunked, and checks the byte
// count and hash of what the handler read.
func TestUploadNetHTTP(t *testing.T) {
	const size = 8 << 20         // 8 MiB
	te := make(chan []string, 1) // the framing the server saw
	srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		te <- r.TransferEncoding
		New().ServeHTTP(w, r)
	}))
	want := uploadReply{Bytes: size, SHA256: patternSum(t, size)}

	// A plain io.Reader hides the length, so the client must chunk it.
	body := struct{ io.Reader }{io.LimitReader(&pattern{}, size)}
	res, err := srv.Client().Post(srv.URL+"/upload", "application/octet-stream", body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got uploadReply
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatalf("POST /upload = %s: %v", res.Status, err)
	}
	if res.StatusCode != 200 || got != want {
		t.Errorf("POST /upload, %d bytes chunked = %d %+v, want 200 %+v", size, res.StatusCode, got, want)
	}
	if got := <-te; len(got) != 1 || got[0] != "chunked" {
		t.Errorf("POST /upload reached the server with Transfer-Encoding %q, want chunked", got)
	}
}
