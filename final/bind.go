package final

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch09"
)

// Bind is one --bind address, parsed: a TCP address, a Unix socket path
// or an inherited descriptor.
type Bind struct {
	// Network is "tcp", "unix" or "fd".
	Network string
	// Addr is HOST:PORT for "tcp" (the host may be empty: every
	// interface), the socket's path for "unix", empty for "fd".
	Addr string
	// FD is the inherited descriptor's number for "fd".
	FD int
}

// bindForms is what a --bind error offers instead.
const bindForms = "use HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N"

// ParseBind parses a --bind value, the way Gunicorn writes them:
// HOST:PORT (also tcp://HOST:PORT), [IPv6]:PORT, unix:PATH (also
// unix://PATH) or fd://N. Its errors are one line, naming the value.
func ParseBind(s string) (Bind, error) {
	bad := func(format string, args ...any) (Bind, error) {
		return Bind{}, fmt.Errorf("--bind %q: "+format, append([]any{s}, args...)...)
	}
	switch {
	case strings.HasPrefix(s, "unix://"), strings.HasPrefix(s, "unix:"):
		path := strings.TrimPrefix(strings.TrimPrefix(s, "unix:"), "//")
		if path == "" {
			return bad("no socket path: use unix:PATH, such as unix:/run/app.sock")
		}
		return Bind{Network: "unix", Addr: path}, nil
	case strings.HasPrefix(s, "fd://"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "fd://"))
		switch {
		case err != nil || n < 0:
			return bad("want a descriptor number, such as fd://3")
		case n <= 2:
			return bad("descriptors 0, 1 and 2 are stdin, stdout and stderr: socket activation passes sockets from 3 on")
		}
		return Bind{Network: "fd", FD: n}, nil
	case strings.Contains(s, "://") && !strings.HasPrefix(s, "tcp://"):
		scheme, _, _ := strings.Cut(s, "://")
		return bad("unknown scheme %q: %s", scheme, bindForms)
	}
	addr := strings.TrimPrefix(s, "tcp://")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "[") {
			return bad("put an IPv6 address in brackets: [::1]:8080")
		}
		return bad("not an address: %s", bindForms)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		if before, _, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(before, ".[]") && port != "" && (port[0] < '0' || port[0] > '9') {
			return bad("unknown scheme %q: %s", before, bindForms)
		}
		return bad("port %q: use 0-65535", port)
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return bad("%q is not an IPv6 address", host)
	}
	return Bind{Network: "tcp", Addr: net.JoinHostPort(host, port)}, nil
}

// String is the bind as --bind spells it.
func (b Bind) String() string {
	switch b.Network {
	case "unix":
		return "unix:" + b.Addr
	case "fd":
		return "fd://" + strconv.Itoa(b.FD)
	}
	return b.Addr
}

// checkBinds parses every --bind, refuses one given twice, and checks
// that a Unix socket's directory exists: the errors a command line can
// be refused with before anything listens.
// maxUnixPath is the size of a Unix socket address's path, its NUL
// included: 108 bytes on Linux, 104 on the BSDs and macOS.
var maxUnixPath = len(syscall.RawSockaddrUnix{}.Path)

func checkBinds(values []string) error {
	seen := map[Bind]bool{}
	for _, v := range values {
		b, err := ParseBind(v)
		if err != nil {
			return err
		}
		if seen[b] && !strings.HasSuffix(b.Addr, ":0") { // port 0: a new free port each time
			return fmt.Errorf("--bind %s is given twice", b)
		}
		seen[b] = true
		if b.Network == "unix" {
			dir := filepath.Dir(b.Addr)
			if !isDir(dir) {
				return fmt.Errorf("--bind %s: directory %s does not exist: create it first", b, dir)
			}
			if len(b.Addr) >= maxUnixPath {
				return fmt.Errorf("--bind %s: the path is too long for a socket (%d bytes; the kernel takes %d)", b, len(b.Addr), maxUnixPath-1)
			}
		}
	}
	return nil
}

// ListenBinds opens every --bind, in the order given except that
// inherited descriptors (fd://N) are taken first, before opening any
// other socket could reuse their numbers. On an error it closes those
// it opened.
func ListenBinds(values []string) ([]net.Listener, error) {
	binds := make([]Bind, 0, len(values))
	for _, v := range values {
		b, err := ParseBind(v)
		if err != nil {
			return nil, err
		}
		binds = append(binds, b)
	}
	lns := make([]net.Listener, len(binds))
	closeAll := func() {
		for _, ln := range lns {
			if ln != nil {
				ln.Close()
			}
		}
	}
	for _, fdFirst := range []bool{true, false} {
		for i, b := range binds {
			if (b.Network == "fd") != fdFirst {
				continue
			}
			ln, err := listenBind(b)
			if err != nil {
				closeAll()
				return nil, err
			}
			lns[i] = ln
		}
	}
	return lns, nil
}

// listenBind opens one bind.
func listenBind(b Bind) (net.Listener, error) {
	if b.Network != "fd" {
		if ln := inherited().take(b.Network, b.Addr); ln != nil {
			return ln, nil // handed down by the server this one upgrades
		}
	}
	switch b.Network {
	case "unix":
		return listenUnix(b.Addr)
	case "fd":
		return listenFD(b.FD)
	}
	ln, err := ch09.ListenTCP(b.Addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("--bind %s: the address is in use: stop the other server or pick another port", b)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("--bind %s: no permission: ports below 1024 need privileges", b)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("--bind %s: not an address of this machine", b)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return nil, fmt.Errorf("--bind %s: unknown host", b)
	}
	return nil, fmt.Errorf("--bind %s: %w", b, err)
}

// listenUnix listens on a Unix socket at path. A file already there is
// refused unless it is a stale socket, one that nothing listens on any
// more (a server that was killed leaves its socket behind): that one is
// removed, as Gunicorn does, and the path bound afresh. The listener
// removes the file when it is closed.
func listenUnix(path string) (net.Listener, error) {
	name := "unix:" + path
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("--bind %s: the file exists and is not a socket: remove it or pick another path", name)
		}
		c, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("--bind %s: a server is listening on it already: stop it or pick another path", name)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("--bind %s: cannot tell whether the socket there is in use: %v", name, err)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--bind %s: remove the stale socket: %v", name, err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	switch {
	case err == nil:
		return newUnixSocket(ln, true, 0), nil // ours: its file goes when it closes
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("--bind %s: no permission to create a socket in %s", name, filepath.Dir(path))
	case errors.Is(err, syscall.EINVAL) && len(path) > 100:
		return nil, fmt.Errorf("--bind %s: the path is too long for a socket (%d bytes; the kernel takes about 100)", name, len(path))
	}
	return nil, fmt.Errorf("--bind %s: %w", name, err)
}

// listenFD takes an inherited listening socket, as socket activation
// (systemd's ListenStream=, or any supervisor) passes it: open before
// this process started, on descriptor n. The descriptor is checked
// before it is taken, so a wrong number is refused without closing
// whatever this process has on it.
func listenFD(n int) (net.Listener, error) {
	if ln := inherited().takeFD(n); ln != nil {
		return ln, nil // systemd's (or an upgrade's) socket: already taken from its descriptor
	}
	name := "fd://" + strconv.Itoa(n)
	if err := checkListeningFD(n); err != nil {
		return nil, fmt.Errorf("--bind %s: %w", name, err)
	}
	f := os.NewFile(uintptr(n), name)
	ln, err := net.FileListener(f) // a duplicate, closed on exec
	if err != nil {
		return nil, fmt.Errorf("--bind %s: %w", name, err)
	}
	f.Close() // so workers do not inherit it: they get the master's copy as fd 3
	return ln, nil
}

// describeListener is a listener's address for the log: a URL for TCP,
// unix:PATH for a Unix socket.
func describeListener(ln net.Listener, scheme string) string {
	addr := ln.Addr()
	if addr.Network() == "unix" {
		return "unix:" + addr.String()
	}
	return scheme + "://" + addr.String()
}
