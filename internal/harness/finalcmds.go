package harness

// The commands of the final stage's scripts: TLS (gencert, tlsget), a
// stream of requests across a signal (loadsignal), worker counts
// (waitworkers), worker recycling (untilclose), and command lines a server
// must refuse (startfail).

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/internal/serverproc"
	"github.com/rogpeppe/go-internal/testscript"
)

// Limits of the final stage's commands.
const (
	// CertValidity is how long a gencert certificate is valid: a script
	// lasts seconds, and a short life keeps a stray key harmless.
	CertValidity = time.Hour
	// MaxLoadDuration bounds loadsignal's -d.
	MaxLoadDuration = 30 * time.Second
	// MaxLoadConns bounds loadsignal's -c.
	MaxLoadConns = 64
	// WorkersWindow is how many answers to GET /pid waitworkers counts
	// processes over: enough that, with the kernel handing connections to
	// whichever worker accepts first, every worker answers some.
	WorkersWindow = 60 // answers
	// maxLoadErrors is how many failures loadsignal describes.
	maxLoadErrors = 5
	// loadBackoff is how long a load client waits after a failure before
	// trying again, so a refusing server does not make it spin.
	loadBackoff = 10 * time.Millisecond
)

// cmdGenCert writes a self-signed certificate and its key into a directory
// (created if need be): DIR/cert.pem and DIR/key.pem.
func cmdGenCert(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: gencert DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(genCert(dir, time.Now()))
}

// genCert writes a self-signed ECDSA P-256 certificate for 127.0.0.1, ::1
// and localhost, valid from a minute before now (clocks drift) for
// CertValidity, to dir/cert.pem, and its private key, PKCS #8 (the form
// Go, OpenSSL, Python and Node all read), to dir/key.pem. The certificate
// is its own CA: a client trusts it by loading cert.pem as its root.
func genCert(dir string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("harness: gencert: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return fmt.Errorf("harness: gencert: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"httpfromscratch checks"}},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(CertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("harness: gencert: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("harness: gencert: %w", err)
	}
	if err := writePEM(filepath.Join(dir, "cert.pem"), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "key.pem"), "PRIVATE KEY", keyDER, 0o600)
}

func writePEM(path, typ string, der []byte, perm os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("harness: gencert: %w", err)
	}
	return nil
}

// cmdTLSGet does GET https://127.0.0.1:PORT/PATH for each PATH, in turn,
// with Go's http.Client trusting only the -ca certificate, and prints each
// answer: the status line, the ALPN protocol the server chose, whether
// the request reused the previous request's connection, an empty line and
// the body.
func cmdTLSGet(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("tlsget", flag.ContinueOnError)
	ca := fs.String("ca", "cert.pem", "the CA certificate (PEM) to trust")
	paths := parseFlags(ts, fs, args)
	if len(paths) == 0 {
		ts.Fatalf("usage: tlsget [-ca FILE] PATH...")
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(ts.ReadFile(*ca))) {
		ts.Fatalf("tlsget: %s holds no PEM certificate", *ca)
	}
	out, err := tlsGet(serverAddr(ts), roots, paths)
	fmt.Fprint(ts.Stdout(), out)
	switch {
	case err != nil && !neg:
		failf(ts, "each HTTPS request answered", err.Error(), "tlsget: a request over TLS failed")
	case err == nil && neg:
		failf(ts, "a failed request", "every request succeeded", "tlsget: every request succeeded")
	}
}

// tlsGet GETs each path from https://addr with a client that trusts roots
// and offers both h2 and http/1.1 by ALPN (RFC 7301), as browsers do: an
// HTTP/1.1 server must choose http/1.1. The client never speaks HTTP/2,
// so a server that wrongly chooses h2 is caught by the printed protocol.
func tlsGet(addr string, roots *x509.CertPool, paths []string) (string, error) {
	tr := &http.Transport{
		TLSClientConfig:    &tls.Config{RootCAs: roots, NextProtos: []string{"h2", "http/1.1"}},
		DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ReadTimeout}
	var out strings.Builder
	for _, p := range paths {
		var reused bool
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
		req, err := http.NewRequest("GET", "https://"+addr+"/"+strings.TrimPrefix(p, "/"), nil)
		if err != nil {
			return out.String(), err
		}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := client.Do(req)
		if err != nil {
			return out.String(), err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		alpn := ""
		if resp.TLS != nil {
			alpn = resp.TLS.NegotiatedProtocol
		}
		fmt.Fprintf(&out, "%s %s\nalpn: %s\nreused: %v\n\n%s", resp.Proto, resp.Status, alpn, reused, body)
		if len(body) > 0 && body[len(body)-1] != '\n' {
			out.WriteString("\n")
		}
		if err != nil {
			return out.String(), fmt.Errorf("GET %s: reading the body: %w", p, err)
		}
	}
	return out.String(), nil
}

// cmdLoadSignal keeps -c keep-alive clients sending GET PATH for -d, sends
// -signal to the server at -at of the way through, and prints
// "N requests, F failures, R retried". It fails if any request failed
// (`! loadsignal` wants at least one failure). With -gone PID (repeatable),
// the load goes on past -d until each PID has exited, for at most
// ReadTimeout more: so the whole of a rolling restart happens under load.
// See load for what counts as a failure and what is retried.
func cmdLoadSignal(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("loadsignal", flag.ContinueOnError)
	conns := fs.Int("c", 4, "concurrent keep-alive clients")
	dur := fs.Duration("d", time.Second, "how long to send requests")
	sigName := fs.String("signal", "", "signal to send the server during the load (HUP, TTIN, ...)")
	at := fs.Float64("at", 0.5, "when to send the signal, as a fraction of -d")
	killPid := fs.Int("kill", 0, "instead of -signal: SIGKILL this process of the server (a worker) at -at")
	stopping := fs.Bool("stopping", false, "the signal stops the server: after it, a refused connection or one closed before any byte of an answer ends that client, and is no failure")
	maxFailures := fs.Int("max-failures", 0, "allow up to this many failed requests")
	var gone []int
	fs.Func("gone", "a process that must have exited before the load stops (repeatable)", func(s string) error {
		pid, err := strconv.Atoi(s)
		gone = append(gone, pid)
		return err
	})
	rest := parseFlags(ts, fs, args)
	path := pathArg(ts, rest, "usage: loadsignal [-c C] [-d DURATION] [-signal SIG [-at FRACTION]] [-gone PID]... [PATH]")
	if *conns < 1 || *conns > MaxLoadConns || *dur <= 0 || *dur > MaxLoadDuration || *at < 0 || *at > 1 {
		ts.Fatalf("loadsignal: want 1 <= -c <= %d, 0 < -d <= %v, 0 <= -at <= 1", MaxLoadConns, MaxLoadDuration)
	}
	srv := runningServer(ts, "loadsignal")
	l := &load{addr: serverAddr(ts), path: path, conns: *conns, dur: *dur, stopping: *stopping}
	if *killPid != 0 {
		if *sigName != "" {
			ts.Fatalf("loadsignal: -kill and -signal exclude each other")
		}
		if !srv.InGroup(*killPid) || *killPid == srv.Pid() {
			ts.Fatalf("loadsignal: -kill %d: not a worker of the server under test", *killPid)
		}
		l.at = time.Duration(*at * float64(*dur))
		l.signal = func() error {
			ts.Logf("loadsignal: SIGKILL to pid %d after %v", *killPid, l.at)
			return syscall.Kill(*killPid, syscall.SIGKILL)
		}
	}
	if *sigName != "" {
		sig, ok := signals[strings.TrimPrefix(strings.TrimPrefix(*sigName, "-"), "SIG")]
		if !ok {
			ts.Fatalf("loadsignal: unknown signal %q", *sigName)
		}
		l.at = time.Duration(*at * float64(*dur))
		l.signal = func() error {
			ts.Logf("loadsignal: sending SIG%s after %v", strings.TrimPrefix(*sigName, "SIG"), l.at)
			srv.signalled.Store(true)
			return srv.Signal(sig)
		}
	}
	if os.Getenv(DumpEnv) == "1" {
		l.stuck = srv.dumpStuck
	}
	if len(gone) > 0 {
		l.gone = func() bool {
			for _, pid := range gone {
				if alive(pid) {
					return false
				}
			}
			return true
		}
	}
	res := l.run()
	if l.stopping {
		fmt.Fprintf(ts.Stdout(), "%d requests, %d failures, %d retried, %d unserved after the signal\n", res.requests, res.failures, res.retried, res.unserved)
	} else {
		fmt.Fprintf(ts.Stdout(), "%d requests, %d failures, %d retried\n", res.requests, res.failures, res.retried)
	}
	if res.signalErr != nil {
		failf(ts, "the signal delivered", res.signalErr.Error(), "loadsignal: could not signal the server")
	}
	if l.gone != nil && !l.gone() {
		fail(ts, srv, "loadsignal: an old process did not exit", fmt.Sprintf("processes %v have exited", gone), fmt.Sprintf("one still runs %v after the load's end", ReadTimeout))
	}
	switch {
	case res.failures > *maxFailures && !neg:
		fail(ts, srv, "loadsignal: requests failed under load", fmt.Sprintf("at most %d failed requests", *maxFailures),
			fmt.Sprintf("%d of %d failed:\n%s", res.failures, res.requests, indentLines(strings.Join(res.errs, "\n"), "    ")))
	case res.failures == 0 && neg:
		failf(ts, "some failed requests", "none failed", "loadsignal: no request failed")
	}
}

// load is a stream of GET requests from keep-alive clients, each sending
// its next request as soon as it has read the previous response.
//
// A request fails when its connection cannot be opened (the server
// refused it: a restart must never close the socket), when its answer is
// not 2xx, when the answer is cut short or followed by stray bytes, or
// when nothing arrives within ReadTimeout. A response that says
// "Connection: close" is no failure: the client opens a new connection
// for its next request, as RFC 9112 section 9.6 asks.
//
// One case is retried instead: a request on a connection that had already
// carried a request (reused), which the server closed before sending any
// byte of an answer (EOF or reset when writing or reading). A server may
// close an idle keep-alive connection at any time (RFC 9112 section 9.5),
// and a worker that drains for a restart must; the client cannot tell
// whether its request crossed the close on the wire. RFC 9112 section
// 9.3.1 lets it retry an idempotent request such as GET then, and
// net/http's Transport does exactly that, once, on a new connection. So
// does load, and counts it in retried; the retry's outcome is the
// request's. A request on a new connection is never retried: a server has
// no reason to close a connection it just accepted without answering
// (net/http does not retry there either), and a listening socket that
// hands out connections nobody will serve is the bug a rolling restart
// must not have.
type load struct {
	addr, path string
	conns      int
	dur        time.Duration
	// signal, if set, is called once, at after the start.
	signal func() error
	at     time.Duration
	// stopping says the signal stops the server: once it is sent, a
	// request that could not connect, or whose connection closed before
	// any byte of an answer, was never read by the server (RFC 9112
	// section 9.6 lets a closing server leave it), so it is counted as
	// unserved, not failed, and its client stops. A response cut short, or
	// none within ReadTimeout, is still a failure: what the server read,
	// it must answer whole.
	stopping bool
	signaled atomic.Bool
	// gone, if set, must report true before the load stops after dur;
	// it is polled until then, for at most ReadTimeout.
	gone func() bool
	// stuck, if set, is called once when gone is still false half-way
	// through that wait, or a request has waited half of ReadTimeout for
	// its answer (to take stack dumps while a process hangs).
	stuck     func()
	stuckOnce sync.Once
}

// reportStuck calls stuck, once.
func (l *load) reportStuck() {
	if l.stuck != nil {
		l.stuckOnce.Do(l.stuck)
	}
}

// loadResult is what a load measured.
type loadResult struct {
	requests, failures, retried int
	unserved                    int      // with stopping: requests the stopping server never read
	errs                        []string // the first few failures
	signalErr                   error
}

// run runs the load and returns its counts.
func (l *load) run() loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	stop := make(chan struct{})
	wg.Go(func() { // decides when the load ends
		time.Sleep(l.dur)
		if l.gone != nil {
			start := time.Now()
			for !l.gone() && time.Since(start) < ReadTimeout {
				if time.Since(start) > ReadTimeout/2 {
					l.reportStuck()
				}
				time.Sleep(pollEvery)
			}
		}
		close(stop)
	})
	if l.signal != nil {
		wg.Go(func() {
			select {
			case <-time.After(l.at):
			case <-stop:
				return
			}
			l.signaled.Store(true)
			if err := l.signal(); err != nil {
				mu.Lock()
				res.signalErr = err
				mu.Unlock()
			}
		})
	}
	req := []byte("GET " + l.path + " HTTP/1.1\r\nHost: " + l.addr + "\r\nUser-Agent: learn-loadsignal\r\n\r\n")
	for range l.conns {
		wg.Go(func() {
			var c *loadConn
			defer func() {
				if c != nil {
					c.Close()
				}
			}()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var retried, unanswered bool
				var err error
				c, retried, unanswered, err = l.request(c, req)
				mu.Lock()
				res.requests++
				if retried {
					res.retried++
				}
				if err != nil && unanswered && l.stopping && l.signaled.Load() {
					res.unserved++
					mu.Unlock()
					return // the server is going away: this client is done
				}
				if err != nil {
					res.failures++
					if len(res.errs) < maxLoadErrors {
						res.errs = append(res.errs, fmt.Sprintf("  after %v: %v", time.Since(start).Round(time.Millisecond), err))
					}
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(loadBackoff)
				}
			}
		})
	}
	wg.Wait()
	return res
}

// request sends one request on c, or on a new connection if c is nil,
// retrying once on a new connection as load's doc says. It returns the
// connection to use next (nil: open a new one).
func (l *load) request(c *loadConn, req []byte) (next *loadConn, retried, unanswered bool, err error) {
	if l.stuck != nil {
		t := time.AfterFunc(ReadTimeout/2, l.reportStuck)
		defer t.Stop()
	}
	if c == nil {
		if c, err = dialLoad(l.addr); err != nil {
			return nil, false, true, err
		}
	}
	keep, early, err := c.roundTrip(req)
	if err != nil && early && c.served > 0 {
		c.Close()
		retried = true
		if c, err = dialLoad(l.addr); err != nil {
			return nil, true, true, fmt.Errorf("retry: %w", err)
		}
		keep, early, err = c.roundTrip(req)
		if err != nil {
			err = fmt.Errorf("retry on a new connection: %w", err)
		}
	}
	if err != nil {
		err = fmt.Errorf("%w (%s, %d requests served on it before)", err, c.LocalAddr(), c.served)
		c.Close()
		return nil, retried, early, err
	}
	c.served++
	if !keep {
		c.Close()
		return nil, retried, false, nil
	}
	return c, retried, false, nil
}

// loadConn is one load client's connection.
type loadConn struct {
	net.Conn
	in     *countingReader
	br     *bufio.Reader
	served int // requests answered on it
}

func dialLoad(addr string) (*loadConn, error) {
	c, err := net.DialTimeout("tcp", addr, ReadTimeout)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	in := &countingReader{r: c}
	return &loadConn{Conn: c, in: in, br: bufio.NewReader(in)}, nil
}

// roundTrip writes req and reads the whole response. keep reports whether
// the connection may carry another request; early, on an error, whether
// not one byte of a response had arrived, and no timeout ran out: the
// server closed the connection on the request.
func (c *loadConn) roundTrip(req []byte) (keep, early bool, err error) {
	c.SetDeadline(time.Now().Add(ReadTimeout))
	before := c.in.n
	if _, err := c.Write(req); err != nil {
		return false, !errors.Is(err, os.ErrDeadlineExceeded), fmt.Errorf("write the request: %w", err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		early = c.in.n == before && !errors.Is(err, os.ErrDeadlineExceeded)
		if early {
			return false, true, fmt.Errorf("the server closed the connection without answering: %w", err)
		}
		return false, false, fmt.Errorf("read the response head: %w", readErr(err))
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return false, false, fmt.Errorf("%s: the body was cut after %d bytes: %w", resp.Status, len(body), readErr(err))
	case resp.StatusCode/100 != 2:
		return false, false, fmt.Errorf("status %s, want 2xx: %q", resp.Status, body)
	case c.br.Buffered() > 0:
		return false, false, fmt.Errorf("%d stray bytes after a complete response", c.br.Buffered())
	}
	return !resp.Close, false, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// cmdWaitWorkers waits until exactly N processes answer GET /pid: the
// last WorkersWindow answers, each on a new connection, come from N
// different processes, none of them the master when N > 1. It is how a
// script sees SIGTTIN and SIGTTOU take effect without knowing the pids.
func cmdWaitWorkers(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitworkers N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	srv := runningServer(ts, "waitworkers")
	addr := serverAddr(ts)
	var last []int
	for deadline := time.Now().Add(ReadTimeout); ; {
		pid, err := getPid(addr)
		if err != nil {
			fail(ts, srv, "waitworkers: GET /pid failed", "a 200 answer to GET /pid with the serving process's id as its body", err.Error())
		}
		if pid == srv.Pid() && want > 1 {
			fail(ts, srv, "waitworkers: the master process served a request", "only workers serve requests", fmt.Sprintf("GET /pid answered by the master, pid %d", pid))
		}
		if last = append(last, pid); len(last) > WorkersWindow {
			last = last[1:]
		}
		got := distinct(last)
		if len(last) == WorkersWindow && len(got) == want {
			fmt.Fprintf(ts.Stdout(), "%d processes answer\n", want)
			return
		}
		if time.Now().After(deadline) {
			fail(ts, srv, "waitworkers: the wrong number of workers answer", fmt.Sprintf("%d different processes answer GET /pid", want),
				fmt.Sprintf("after %v, the last %d answers came from %d: %v", ReadTimeout, len(last), len(got), got))
		}
	}
}

// distinct returns the different values of xs, in order of first
// appearance.
func distinct(xs []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// cmdUntilClose sends GET PATH over one keep-alive connection, one
// request after the other, until a response says "Connection: close",
// then checks that the server closes the connection, and prints "closed
// after K requests". It fails if the server closes without having said so
// (a client that sent its next request meanwhile would lose it; RFC 9112
// section 9.6), on a non-2xx answer, or after -max requests.
func cmdUntilClose(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("untilclose", flag.ContinueOnError)
	limit := fs.Int("max", 100, "give up after this many requests")
	rest := parseFlags(ts, fs, args)
	path := "/"
	if len(rest) == 1 {
		path = rest[0]
	}
	k, err := untilClose(serverAddr(ts), path, *limit)
	if err != nil {
		failf(ts, "2xx answers until one says Connection: close, then the server closes", err.Error(), "untilclose: the connection ended wrongly")
	}
	fmt.Fprintf(ts.Stdout(), "closed after %d requests\n", k)
}

// untilClose does cmdUntilClose's work and returns K.
func untilClose(addr, path string, limit int) (int, error) {
	c, err := dial(addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: learn-untilclose\r\n\r\n"
	for k := 1; k <= limit; k++ {
		c.deadline()
		if _, err := io.WriteString(c, req); err != nil {
			return k, fmt.Errorf("request %d: %w (response %d did not say Connection: close, RFC 9112 section 9.6)", k, err, k-1)
		}
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil {
			if k > 1 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err)) {
				return k, fmt.Errorf("request %d: the server closed the connection without answering, "+
					"but response %d did not say Connection: close (RFC 9112 section 9.6): %v", k, k-1, err)
			}
			return k, fmt.Errorf("request %d: %w", k, readErr(err))
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return k, fmt.Errorf("request %d: reading the body: %w", k, readErr(err))
		}
		if resp.StatusCode/100 != 2 {
			return k, fmt.Errorf("request %d: status %s, want 2xx", k, resp.Status)
		}
		if resp.Close {
			extra, err := c.waitClosed()
			switch {
			case err != nil:
				return k, fmt.Errorf("response %d said Connection: close, but %w", k, err)
			case len(extra) > 0:
				return k, fmt.Errorf("response %d said Connection: close, then the server sent %q", k, Escape(extra))
			}
			return k, nil
		}
	}
	return limit, fmt.Errorf("%d responses, and none said Connection: close", limit)
}

// cmdStartFail runs the server under test with a command line it must
// refuse (start's flags, then the script's): it must exit with a failure
// status within ReadyTimeout. Its stdout and stderr become the command's,
// for `stderr` to check the message.
func cmdStartFail(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("startfail: unsupported: ! startfail (use start)")
	}
	st := scriptState(ts)
	if st.server != nil {
		if exited, _ := st.server.Wait(0); !exited {
			ts.Fatalf("startfail: a server is running; interrupt it first")
		}
	}
	port, err := freePort()
	ts.Check(err)
	workers := 0
	for i, a := range args {
		if a == "--workers" && i+1 < len(args) {
			workers, _ = strconv.Atoi(args[i+1])
		}
	}
	argv := st.target.argv(port, workers, args)
	if argv[0], err = lookPath(argv[0], ts.Getenv("PATH")); err != nil {
		ts.Fatalf("startfail: %v", err)
	}
	dir := st.target.Dir
	if dir == "" {
		dir = ts.Getenv("WORK")
	}
	env := append(append([]string(nil), st.env...),
		"HOST="+Host, "PORT="+strconv.Itoa(port), "WORKERS="+strconv.Itoa(max(workers, 1)))
	code, stdout, stderr, err := runRefused(argv, env, dir, ReadyTimeout)
	fmt.Fprintf(ts.Stdout(), "%s", stdout)
	fmt.Fprintf(ts.Stderr(), "%s", stderr)
	cmdline := strings.Join(argv, " ")
	switch {
	case err != nil:
		fail(ts, nil, "startfail: the server did not refuse its command line: "+cmdline, "a non-zero exit status", err.Error()+"\n"+outputTail(string(stdout)+string(stderr), OutputLines))
	case code == 0:
		fail(ts, nil, "startfail: the server accepted a command line it must refuse: "+cmdline, "a non-zero exit status", "exit status 0\n"+outputTail(string(stdout)+string(stderr), OutputLines))
	}
	ts.Logf("%s exited with status %d", cmdline, code)
}

// runRefused runs argv and waits up to timeout for it to exit; it returns
// its exit status and output. A process still running at the timeout
// (it accepted the command line) is killed, with its process group, and
// reported as an error.
func runRefused(argv, env []string, dir string, timeout time.Duration) (code int, stdout, stderr []byte, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	var out, errOut bytes.Buffer // written by exec's copiers, read after the exit
	cmd.Stdout, cmd.Stderr = &out, &errOut
	p, err := serverproc.Start(cmd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("harness: start %s: %w", argv[0], err)
	}
	exited, err := p.Wait(timeout)
	if !exited {
		// Wait then says "signal: killed": the timeout is the error to report.
		p.Kill()
		return 0, out.Bytes(), errOut.Bytes(), fmt.Errorf("still running after %v: it took the command line, want it refused with a failure status", timeout)
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, out.Bytes(), errOut.Bytes(), nil
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.Bytes(), errOut.Bytes(), nil
	default:
		return 0, out.Bytes(), errOut.Bytes(), err
	}
}

// pathArg returns the optional PATH argument left after a command's
// flags, "/" if there is none; more than one fails the script with usage.
func pathArg(ts *testscript.TestScript, rest []string, usage string) string {
	switch len(rest) {
	case 0:
		return "/"
	case 1:
		return rest[0]
	}
	ts.Fatalf("%s", usage)
	return ""
}
