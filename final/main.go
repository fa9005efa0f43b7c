package final

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/chapters/ch09"
)

// Main runs handler as a server configured by the command line (see
// Flags; --help lists them) and exits when it stops: status 0 after a
// clean stop, 1 when serving failed or a graceful stop had to cut
// requests, 2 for a bad command line.
func Main(handler http.Handler) {
	os.Exit(Run(os.Args[1:], handler, os.Stdout, os.Stderr))
}

// Run is Main without the exit: it parses args, serves until SIGTERM or
// SIGINT (a second one forces the stop), and returns the exit status.
func Run(args []string, handler http.Handler, stdout, stderr io.Writer) (code int) {
	var flags Flags
	name := filepath.Base(os.Args[0])
	exited := -1 // the status --help asked kong to exit with, once it has
	parser, err := kong.New(&flags,
		kong.Name(name),
		kong.Description("An HTTP/1.1 server for this program's handler, built in the course: prefork workers, graceful shutdown, access log, TLS."),
		kong.Writers(stdout, stderr),
		// kong would end the process after --help; Run returns instead.
		kong.Exit(func(status int) { exited = max(exited, status) }),
		kong.Configuration(LoadConfig),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		panic(err) // the Flags struct is wrong: a bug caught by the tests
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 {
		return exited
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	if flags.CheckConfig {
		if err := flags.CheckAll(); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: the configuration is good\n", name)
		return 0
	}
	if err := flags.Check(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	// --bind replaces the --host/--port listener, unless --host or --port
	// is given too (on the command line or in the config file).
	tcp := len(flags.Bind) == 0 || given(kctx, "host") || given(kctx, "port")

	logger := log.New(stderr, ch06.LogPrefix(os.Getenv), log.LstdFlags|log.Lmsgprefix)
	ctx, force, stopSignals := ch07.StopSignals(context.Background())
	defer stopSignals()
	ctx, cancel := context.WithCancel(ctx) // also cancelled if our master dies
	defer cancel()

	o := Options{Flags: flags, Handler: handler, Args: args, Force: force, Logf: logger.Printf}
	var ln net.Listener
	if ch06.IsWorker(os.Getenv) {
		// Ctrl+C reaches the whole process group; the master decides.
		signal.Ignore(syscall.SIGINT)
		if err := ch06.WatchMaster(cancel); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 1
		}
		ln, err = ch06.InheritedListener() // ready once it serves: serveProcess says so
		o.Worker = true
	} else {
		ln, o.Listeners, err = listenAll(flags, tcp)
		if err == nil {
			var addrs []string
			for _, l := range append([]net.Listener{ln}, o.Listeners...) {
				if l != nil {
					addrs = append(addrs, describeListener(l, o.scheme()))
				}
			}
			logger.Printf("final: listening on %s (pid %d, %s)", strings.Join(addrs, ", "), os.Getpid(), describeWorkers(flags.Workers))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	if err := Serve(ctx, ln, o); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// given reports whether a flag was set on the command line or by the
// config file, rather than left at its default.
func given(kctx *kong.Context, flag string) bool {
	for _, p := range kctx.Path {
		if p.Flag != nil && p.Flag.Name == flag {
			return true
		}
	}
	return false
}

// listenAll opens the --bind addresses, then the --host/--port one when
// tcp is true (ln is nil otherwise). On an error nothing is left open.
func listenAll(flags Flags, tcp bool) (ln net.Listener, binds []net.Listener, err error) {
	binds, err = ListenBinds(flags.Bind)
	if err != nil {
		return nil, nil, err
	}
	if binds == nil {
		binds = []net.Listener{} // opened here: Serve must not open them again
	}
	if tcp {
		if ln, err = Listen(flags.Host, flags.Port); err != nil {
			closeListeners(binds)
			return nil, nil, err
		}
	}
	return ln, binds, nil
}

// describeWorkers says, for the banner, how the server runs: "one
// process", "1 worker", "4 workers".
func describeWorkers(n int) string {
	switch n {
	case 0:
		return "one process"
	case 1:
		return "1 worker"
	}
	return strconv.Itoa(n) + " workers"
}

// Listen opens the server's socket, turning the usual failures into one
// line a person can act on. A socket on the same address handed down by
// an upgrade (SIGUSR2) or by systemd is taken instead.
func Listen(host string, port int) (net.Listener, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if ln := inherited().take("tcp", addr); ln != nil {
		return ln, nil // handed down by the server this one upgrades
	}
	ln, err := ch09.ListenTCP(addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %d is in use on %s: stop the other server or pick another with --port", port, host)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("no permission to listen on port %d: ports below 1024 need privileges, use --port 8080", port)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("cannot listen on %s: %s is not an address of this machine", addr, host)
	default:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, fmt.Errorf("cannot listen on %s: unknown host %q", addr, host)
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
}
