package ch08

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Entry is what one access log line says about a request.
type Entry struct {
	// RemoteAddr is the client's "host:port".
	RemoteAddr string
	// Start is when the server began reading the request.
	Start time.Time
	// Method, RequestURI and Proto make the request line.
	Method, RequestURI, Proto string
	// Status is the response's status code.
	Status int
	// Bytes is how many body bytes the response carried.
	Bytes int64
	// Duration is how long from Start until the response was written.
	Duration time.Duration
	// Referer and UserAgent are the request's fields of those names, for
	// the Combined and JSON formats.
	Referer, UserAgent string
}

// Format is an access log line format.
type Format int

// The formats.
const (
	// Console is the short, human form:
	// [15:04:05] 127.0.0.1 "GET / HTTP/1.1" 200 13 0.42ms
	Console Format = iota
	// Common is Apache's Common Log Format:
	// 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 13
	Common
	// Combined is Common followed by the quoted Referer and User-Agent.
	Combined
	// JSON is one object per line; see AppendJSON for its fields.
	JSON
)

var formatNames = []string{"console", "common", "combined", "json"}

// String returns the format's name as ParseFormat takes it.
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// ErrUnknownFormat is returned by ParseFormat for a name it does not know.
var ErrUnknownFormat = fmt.Errorf("ch08: unknown access log format (use %s)", strings.Join(formatNames, ", "))

// ParseFormat returns the format named name.
func ParseFormat(name string) (Format, error) {
	for i, n := range formatNames {
		if strings.EqualFold(name, n) {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownFormat, name)
}

// host returns the host part of a "host:port" address without
// allocating: "[::1]:80" is "::1".
func host(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr
	}
	h := addr[:i]
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	return h
}

// NewEntry is the access log's view of a finished request: what
// ch05.Server's OnResponse hook reports, plus the Referer and User-Agent
// fields of the request. Bytes counts the body bytes sent, as Apache's
// %b does: none in reply to HEAD, whatever the handler wrote.
//
// It returns the Entry itself, not a pointer: passed to Log by address, it
// can stay on the caller's stack, and a logged request allocates nothing
// for its line.
func NewEntry(r *http.Request, status int, written int64, start time.Time) Entry {
	if r.Method == http.MethodHead {
		written = 0 // the handler's bytes were dropped: none were sent
	}
	return Entry{
		RemoteAddr: r.RemoteAddr, Start: start,
		Method: r.Method, RequestURI: r.RequestURI, Proto: r.Proto,
		Status: status, Bytes: written, Duration: time.Since(start),
		Referer: r.Header.Get("Referer"), UserAgent: r.Header.Get("User-Agent"),
	}
}
