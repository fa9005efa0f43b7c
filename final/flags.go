package final

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch08"
	"github.com/httpfromscratch/course/chapters/ch09"
)

// Flags is the server's whole configuration, as command-line flags (kong
// tags) and as the keys of a --config JSON file ("idle-timeout" or
// "idle_timeout"). The learn CLI embeds it too, so `learn run` takes the
// same flags; each stage accepts only those it uses.
//
// The --limit-request-* flags are Gunicorn's request limits, by their
// names. They are pointers because 0 is a value (no limit but
// --max-header-bytes) and nil, not given, means Gunicorn's default.
type Flags struct {
	Host    string `default:"127.0.0.1" help:"Address to listen on (0.0.0.0 for every interface)."`
	Port    int    `default:"8080" help:"TCP port to listen on (0 picks a free one)."`
	Workers int    `help:"Worker processes sharing the port; 0 serves in this process alone."`

	Bind []string `placeholder:"ADDRESS" sep:"none" help:"Listen on HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N (an inherited socket); repeatable. Replaces --host/--port unless they are given too."`

	GracefulTimeout   time.Duration `help:"On SIGTERM/SIGINT, time in-flight requests get to finish (default 30s)."`
	IdleTimeout       time.Duration `help:"Close a keep-alive connection idle this long (default 5s)."`
	ReadHeaderTimeout time.Duration `help:"Time allowed to read a request's head, the slowloris guard (default 10s)."`
	ReadTimeout       time.Duration `help:"Time allowed to read a request's body, from when its handler starts (default: none)."`
	WriteTimeout      time.Duration `help:"Time allowed to write a response, from when its handler starts (default: none)."`

	MaxHeaderBytes        ByteSize `help:"Largest header section (the request line aside), e.g. 64KiB; larger gets 431 (default 64KiB)."`
	LimitRequestLine      *int     `placeholder:"BYTES" help:"Longest request line, CRLF not counted; longer gets 414 (default 4094; 0: up to --max-header-bytes)."`
	LimitRequestFields    *int     `placeholder:"N" help:"Most header fields in a request; more gets 431 (default 100; 0: as many as --max-header-bytes holds)."`
	LimitRequestFieldSize *int     `placeholder:"BYTES" help:"Longest header field line, its CRLF counted; longer gets 431 (default 8190; 0: up to --max-header-bytes)."`
	MaxBody               ByteSize `help:"Largest request body, e.g. 1MiB; larger gets 413 (default 1GiB)."`
	MaxConns              int      `help:"Most open connections per worker; more get 503 at once (default: no limit)."`
	MaxRequests           int      `help:"Recycle a worker gracefully after this many requests (needs --workers; default: never)."`
	MaxRequestsJitter     int      `help:"Add up to this many requests, at random, to --max-requests, so workers do not recycle together."`

	GCFloor *ByteSize `name:"gc-floor" placeholder:"SIZE" help:"Let the heap grow to SIZE before the garbage collector runs, fewer collections for that much memory (default 32MiB; 0: Go's own pacing, GOGC)."`

	WorkerTimeout time.Duration `help:"Kill and replace a worker silent this long: frozen, or its runtime wedged (Gunicorn's --timeout; needs --workers; default: off)."`
	ReadyTimeout  time.Duration `help:"How long a new worker (HUP) or a new server (USR2) may take to start serving before the reload or upgrade is abandoned (default 10s)."`

	AccessLog       string `help:"Where the access log goes: a file path, - for stdout (default), or off."`
	AccessLogFormat string `help:"Access log format: console (default), common, combined or json."`

	ProxyProtocol     bool   `help:"Read a PROXY protocol header (v1 or v2) from each connection of --forwarded-allow-ips, and take the client's address from it (default: off)."`
	ForwardedAllowIPs string `name:"forwarded-allow-ips" placeholder:"IPS" help:"Addresses trusted to send a PROXY header: IPs and CIDR ranges, comma-separated, or * (with --proxy-protocol; default 127.0.0.1)."`

	TLSCert string `name:"tls-cert" help:"Certificate (PEM) to serve HTTPS with; needs --tls-key."`
	TLSKey  string `name:"tls-key" help:"Private key (PEM) of --tls-cert."`

	PID string `name:"pid" placeholder:"FILE" help:"Write the server's pid to FILE (the master's, with --workers); on SIGUSR2 it becomes FILE.oldbin and the new server writes FILE."`

	LogLevel string `help:"Server log detail: info (default: errors and warnings) or debug (also each connection's ordinary end, such as an idle keep-alive close)."`

	Config      ConfigFile `help:"Read flags from this JSON file; flags on the command line win."`
	CheckConfig bool       `name:"check-config" help:"Check the flags and --config (values, TLS files, the access log, the pid file), say so and exit: 0 if they are good, 2 if not. Nothing listens (Gunicorn's --check-config)."`
}

// Gunicorn's request limits (its limit_request_line, limit_request_fields
// and limit_request_field_size settings): the defaults of the
// --limit-request-* flags, counted as Gunicorn counts them.
const (
	DefaultLimitRequestLine      = 4094 // bytes, the request line without its CRLF
	DefaultLimitRequestFields    = 100  // header fields
	DefaultLimitRequestFieldSize = 8190 // bytes, one field line with its CRLF
)

// gcFloor returns the heap floor --gc-floor asks for: ch09's default when
// the flag is not given.
func (f *Flags) gcFloor() int64 {
	if f.GCFloor == nil {
		return ch09.DefaultHeapFloor
	}
	return int64(*f.GCFloor)
}

// MinWorkerTimeout is the shortest --worker-timeout: below it, a worker
// that is merely busy (a garbage collection, a loaded machine) could be
// taken for frozen. Gunicorn counts its timeout in whole seconds.
const MinWorkerTimeout = 100 * time.Millisecond

// requestLimits returns the Server fields the --limit-request-* flags set:
// Gunicorn's default for a flag not given, -1 (no limit but
// --max-header-bytes) for 0, the value otherwise.
func (f *Flags) requestLimits() (line, fields, fieldSize int) {
	limit := func(v *int, def int) int {
		switch {
		case v == nil:
			return def
		case *v == 0:
			return -1
		}
		return *v
	}
	return limit(f.LimitRequestLine, DefaultLimitRequestLine),
		limit(f.LimitRequestFields, DefaultLimitRequestFields),
		limit(f.LimitRequestFieldSize, DefaultLimitRequestFieldSize)
}

// Check checks values a flag's type cannot: ranges, pairs, and that the
// TLS certificate and key load. Its errors are one line each, naming the
// flag. (CheckAll adds what the server checks before it listens.)
func (f *Flags) Check() error {
	switch {
	case f.Port < 0 || f.Port > 65535:
		return fmt.Errorf("--port %d is out of range: use 1-65535, or 0 for any free port", f.Port)
	case f.Workers < 0:
		return fmt.Errorf("--workers %d: use 0 (one process) or more", f.Workers)
	case f.MaxConns < 0:
		return fmt.Errorf("--max-conns %d: use a positive number, or 0 for no limit", f.MaxConns)
	case negative(f.LimitRequestLine):
		return fmt.Errorf("--limit-request-line %d: use a size in bytes, or 0 for no limit but --max-header-bytes", *f.LimitRequestLine)
	case negative(f.LimitRequestFields):
		return fmt.Errorf("--limit-request-fields %d: use a number of fields, or 0 for no limit but --max-header-bytes", *f.LimitRequestFields)
	case negative(f.LimitRequestFieldSize):
		return fmt.Errorf("--limit-request-field-size %d: use a size in bytes, or 0 for no limit but --max-header-bytes", *f.LimitRequestFieldSize)
	case f.MaxRequests < 0 || f.MaxRequestsJitter < 0:
		return fmt.Errorf("--max-requests and --max-requests-jitter take positive numbers")
	case f.MaxRequestsJitter > 0 && f.MaxRequests == 0:
		return fmt.Errorf("--max-requests-jitter needs --max-requests")
	case f.MaxRequests > 0 && f.Workers == 0:
		return fmt.Errorf("--max-requests recycles workers: it needs --workers")
	case f.WorkerTimeout < 0:
		return fmt.Errorf("--worker-timeout %v: use a duration such as 30s, or 0 for no watchdog", f.WorkerTimeout)
	case f.WorkerTimeout > 0 && f.WorkerTimeout < MinWorkerTimeout:
		return fmt.Errorf("--worker-timeout %v is too short: a healthy worker under load could miss it; use %v or more, or 0 for no watchdog", f.WorkerTimeout, MinWorkerTimeout)
	case f.WorkerTimeout > 0 && f.Workers == 0:
		return fmt.Errorf("--worker-timeout watches workers: it needs --workers")
	case (f.TLSCert == "") != (f.TLSKey == ""):
		return fmt.Errorf("--tls-cert and --tls-key go together: give both or neither")
	}
	if err := checkBinds(f.Bind); err != nil {
		return err
	}
	if err := checkPidFile(f.PID, !f.CheckConfig); err != nil {
		return err
	}
	if _, err := parseAllowIPs(f.ForwardedAllowIPs); err != nil {
		return err
	}
	if f.ForwardedAllowIPs != "" && !f.ProxyProtocol {
		// Gunicorn's flag of this name trusts X-Forwarded-* headers, which
		// this server never reads: without --proxy-protocol it would do
		// nothing, silently.
		return fmt.Errorf("--forwarded-allow-ips says who may send a PROXY protocol header: it needs --proxy-protocol (X-Forwarded-* headers are not read)")
	}
	if f.TLSCert != "" {
		// Load the pair now, so a wrong path is one line before listening,
		// not an error after the banner (or a crash loop of workers).
		if _, err := tls.LoadX509KeyPair(f.TLSCert, f.TLSKey); err != nil {
			return fmt.Errorf("--tls-cert %s, --tls-key %s: %v", f.TLSCert, f.TLSKey, err)
		}
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"graceful-timeout", f.GracefulTimeout}, {"idle-timeout", f.IdleTimeout},
		{"read-header-timeout", f.ReadHeaderTimeout}, {"read-timeout", f.ReadTimeout},
		{"write-timeout", f.WriteTimeout}, {"ready-timeout", f.ReadyTimeout},
	} {
		if d.v < 0 {
			return fmt.Errorf("--%s %v: use a positive duration such as 5s", d.flag, d.v)
		}
	}
	switch f.LogLevel {
	case "", "info", "debug":
	default:
		return fmt.Errorf("--log-level %q: use info or debug", f.LogLevel)
	}
	if f.AccessLogFormat != "" {
		if _, err := ch08.ParseFormat(f.AccessLogFormat); err != nil {
			return fmt.Errorf("--access-log-format %q: use console, common, combined or json", f.AccessLogFormat)
		}
	}
	return nil
}

// negative reports whether an optional number was given and is below 0.
func negative(v *int) bool { return v != nil && *v < 0 }

// ByteSize is a size in bytes, written as a number with an optional unit:
// 1048576, 512KiB, 1MiB, 2GiB (also K, M, G, KB, MB, GB, all powers of
// 1024).
type ByteSize int64

// byteUnits maps a unit suffix to its multiplier, longest suffixes first
// so "KiB" is tried before "B".
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
}

// UnmarshalText parses a size.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(text)))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size in bytes (try 1048576, 512KiB or 1MiB)", string(text))
	}
	*b = ByteSize(n * mult)
	return nil
}

// CheckAll is Check and what the server checks before it listens: that
// the access log opens. It is what --check-config runs.
func (f *Flags) CheckAll() error {
	if err := f.Check(); err != nil {
		return err
	}
	if f.Workers > 0 {
		// A master hands the file to its workers: it must be small enough.
		if _, err := readMasterConfig(string(f.Config)); err != nil {
			return err
		}
	}
	return ch08.CheckAccessLog(f.AccessLog, f.AccessLogFormat)
}

// LoadConfig is the kong configuration loader behind --config: a JSON
// object whose keys are flag names. Unlike kong.JSON it refuses a key that
// names no flag, so a typo in a config file fails at start instead of
// being ignored; numbers and booleans may be written as JSON values or as
// strings ("1MiB", "5s"). A repeatable flag (bind) takes a string or an
// array of strings.
func LoadConfig(r io.Reader) (kong.Resolver, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("config is not a JSON object: %w", err)
	}
	values := map[string]any{}
	for k, v := range raw {
		name := strings.ReplaceAll(k, "_", "-")
		switch v := v.(type) {
		case string:
			values[name] = v
		case json.Number:
			values[name] = v.String()
		case bool:
			values[name] = strconv.FormatBool(v)
		case []any:
			for _, e := range v {
				if _, ok := e.(string); !ok {
					return nil, fmt.Errorf("config key %q: want an array of strings", k)
				}
			}
			values[name] = v
		default:
			return nil, fmt.Errorf("config key %q: want a string, number, boolean or array of strings", k)
		}
	}
	return configResolver(values), nil
}

// configResolver resolves flags from a loaded config file.
type configResolver map[string]any

// Validate refuses keys that name no flag of the application.
func (c configResolver) Validate(app *kong.Application) error {
	known := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			known[f.Name] = true
		}
		for _, child := range n.Children {
			walk(child)
		}
	}
	walk(app.Node)
	var unknown []string
	for k := range c {
		if !known[k] || k == "config" || k == "check-config" { // the command line's own
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key %q (keys are flag names, such as \"port\" or \"idle-timeout\")", unknown[0])
	}
	return nil
}

// Resolve returns the config's value for a flag, if any.
func (c configResolver) Resolve(ctx *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
	if v, ok := c[flag.Name]; ok {
		return v, nil
	}
	return nil, nil
}
