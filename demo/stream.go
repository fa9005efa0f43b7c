package demo

import (
	"errors"
	"net/http"
	"strconv"
)

// Limits of GET /stream?n=N.
const (
	// DefaultStreamLines is how many lines /stream writes without ?n=.
	DefaultStreamLines = 5
	// MaxStreamLines is the largest n /stream accepts; more is 400.
	MaxStreamLines = 10000
)

// serveStream writes n lines, "line 1\n" to "line n\n", and flushes after
// each one. Flushing before the handler returns means the server cannot
// know the body's length, so on HTTP/1.1 it must frame the body with
// chunked transfer coding (RFC 9112 section 7.1), one chunk per flushed
// line: the route to watch chunked encoding and Flush on the wire.
func serveStream(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	n, _, ok := queryCount(r.URL.Query(), "n", DefaultStreamLines, MaxStreamLines)
	if !ok {
		badParam(w, "n", MaxStreamLines)
		return
	}
	w.Header()["Content-Type"] = textPlain
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	flush := func() bool {
		err := rc.Flush()
		// A server that cannot flush still gets the lines, in one piece.
		return err == nil || errors.Is(err, http.ErrNotSupported)
	}
	// The header goes out at once, so the client sees the response start
	// even before the first line (and even when n is 0).
	if !flush() {
		return
	}
	line := make([]byte, 0, len("line 10000\n"))
	for i := 1; i <= n; i++ {
		line = append(line[:0], "line "...)
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return // the client is gone: stop writing to nobody
		}
		if !flush() {
			return
		}
	}
}
