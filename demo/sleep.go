package demo

import (
	"net/http"
	"strconv"
	"time"
)

// MaxSleep is the longest wait GET /sleep?ms=N accepts; more is 400.
const MaxSleep = 60 * time.Second

// serveSleep waits ?ms=N milliseconds, then answers "slept N ms". It is the
// route for slow requests: in-flight work during a graceful shutdown,
// timeouts, concurrency. It stops waiting as soon as the request's context
// is done (the client went away, or the server gave up on the request) and
// then answers 503, which a client still listening can tell from success.
func serveSleep(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	const maxMillis = int(MaxSleep / time.Millisecond)
	ms, found, ok := queryCount(r.URL.Query(), "ms", 0, maxMillis)
	if !found || !ok {
		badParam(w, "ms", maxMillis)
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		writeText(w, http.StatusOK, "slept "+strconv.Itoa(ms)+" ms")
	case <-r.Context().Done():
		writeText(w, http.StatusServiceUnavailable, "503 sleep interrupted\n")
	}
}
