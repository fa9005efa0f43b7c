package bench

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults and bounds of a run.
const (
	// DefaultConnections is the number of connections when
	// Config.Connections is zero.
	DefaultConnections = 50
	// MaxConnections bounds Config.Connections: each holds a histogram
	// and a read buffer, about 70 KiB, and a socket.
	MaxConnections = 10000
	// DefaultDuration is how long a run lasts when neither Duration nor
	// Requests is set.
	DefaultDuration = 5 * time.Second
	// MaxPipeline bounds Config.Pipeline, the requests written before
	// their responses are read.
	MaxPipeline = 1024
	// DefaultTimeout bounds each batch of requests, from the first write
	// to the last response byte, when Config.Timeout is zero. A server
	// that takes longer gets an error counted and a new connection.
	DefaultTimeout = 10 * time.Second
	// ProgressInterval is how often Config.Progress is called.
	ProgressInterval = 100 * time.Millisecond
)

// ConfigError is a setting out of range. Problem names the command-line
// flag a user would change ("--pipeline 0: use 1 to 1024"), so the
// command line can show it as is.
type ConfigError struct{ Problem string }

func (e *ConfigError) Error() string { return "bench: " + e.Problem }

// Is makes errors.Is(err, ErrBadConfig) true for every ConfigError.
func (e *ConfigError) Is(target error) bool { return target == ErrBadConfig }

// badConfig returns a *ConfigError.
func badConfig(format string, args ...any) error {
	return &ConfigError{Problem: fmt.Sprintf(format, args...)}
}

// Config describes one measurement: where, how many connections, for how
// long, and how each connection talks. It is closed-loop: every
// connection sends its next request (or batch, when pipelining) as soon as
// the previous one is answered, so the rate measured is the rate the
// server sustains, not one the bench imposes.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// Host is the Host header's value. If empty, Addr.
	Host string
	// Path is the request target, origin-form (RFC 9112 section 3.2.1).
	// If empty, "/".
	Path string
	// Connections is the number of concurrent connections. If zero,
	// DefaultConnections.
	Connections int
	// Duration is how long to send requests; in-flight requests are then
	// finished. If zero and Requests is zero too, DefaultDuration.
	Duration time.Duration
	// Requests, if positive, is the total number of requests to send
	// instead of a duration. Failed requests count towards it.
	Requests int64
	// NoKeepAlive sends every request on a new connection with
	// "Connection: close" (RFC 9112 section 9.6).
	NoKeepAlive bool
	// Pipeline is how many requests a connection writes before reading
	// their responses (RFC 9112 section 9.3.2). If zero, 1.
	Pipeline int
	// Timeout bounds one batch of requests. If zero, DefaultTimeout.
	Timeout time.Duration
	// Progress, if not nil, is called every ProgressInterval from another
	// goroutine with the run's progress so far.
	Progress func(Status)
}

// Status is a run's progress, for a progress display.
type Status struct {
	Elapsed  time.Duration
	Requests int64 // responses read so far
	Errors   int64 // failed requests so far
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Host == "" {
		c.Host = c.Addr
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.Connections == 0 {
		c.Connections = DefaultConnections
	}
	if c.Duration == 0 && c.Requests == 0 {
		c.Duration = DefaultDuration
	}
	if c.Pipeline == 0 {
		c.Pipeline = 1
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Validate reports the first setting that is out of range, as an error
// wrapping ErrBadConfig whose message names the flag a user would change.
func (c Config) Validate() error {
	bad := badConfig
	switch {
	case c.Addr == "":
		return bad("no server address")
	case c.Connections < 0 || c.Connections > MaxConnections:
		return bad("--connections %d: use 1 to %d", c.Connections, MaxConnections)
	case c.Duration < 0:
		return bad("--duration %v: use a positive duration such as 10s", c.Duration)
	case c.Requests < 0:
		return bad("--requests %d: use a positive count", c.Requests)
	case c.Duration > 0 && c.Requests > 0:
		return bad("--duration and --requests both set: use one")
	case c.Pipeline < 0 || c.Pipeline > MaxPipeline:
		return bad("--pipeline %d: use 1 to %d", c.Pipeline, MaxPipeline)
	case c.Pipeline > 1 && c.NoKeepAlive:
		return bad("--pipeline %d needs keep-alive: without it the server closes after the first response", c.Pipeline)
	case c.Timeout < 0:
		return bad("--timeout %v: use a positive duration", c.Timeout)
	case !validTarget(c.Path):
		return bad("--path %q: use an origin-form target such as /status/200", c.Path)
	case strings.ContainsAny(c.Host, "\r\n"):
		return bad("host %q holds a line break", c.Host)
	}
	return nil
}

// validTarget reports whether p can be sent as a request target: empty
// (then "/"), or starting with "/" and holding only visible ASCII.
func validTarget(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] >= 0x7f {
			return false
		}
	}
	return true
}

// ParseURL splits an http:// URL into the Addr, Host and Path of a Config.
// A missing port means 80; https is refused, since the bench speaks plain
// HTTP/1.1 only.
func ParseURL(raw string) (addr, host, path string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", badConfig("--url %q: %v", raw, errors.Unwrap(err))
	}
	switch {
	case u.Scheme == "https":
		return "", "", "", badConfig("--url %q: https is not supported, the bench speaks plain HTTP/1.1", raw)
	case u.Scheme != "http" || u.Host == "":
		return "", "", "", badConfig("--url %q: use http://HOST:PORT/PATH", raw)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", "", badConfig("--url %q: port %s is out of range", raw, port)
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return net.JoinHostPort(u.Hostname(), port), u.Host, path, nil
}

// buildRequest returns n copies of the GET request a connection sends,
// back to back, so a batch of k pipelined requests is one write of the
// first k copies.
func buildRequest(c Config, n int) []byte {
	req := "GET " + c.Path + " HTTP/1.1\r\nHost: " + c.Host + "\r\nUser-Agent: learn-bench\r\n"
	if c.NoKeepAlive {
		req += "Connection: close\r\n"
	}
	req += "\r\n"
	return []byte(strings.Repeat(req, n))
}
