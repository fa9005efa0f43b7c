package final

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/chapters/ch09"
)

// Server serves HTTP/1.1 with the course's stack, in the shape of
// net/http's Server: a program moves from one to the other by changing
// the type name. Fields mean what net/http's fields of the same names
// mean, with the course's defaults where net/http has none (a zero
// ReadHeaderTimeout is 10s, not unlimited).
//
// Serve and the other serving methods return http.ErrServerClosed after
// Shutdown or Close, as net/http's do.
type Server struct {
	// Addr is the TCP address to listen on, ":http" (":80") if empty.
	Addr string
	// Handler answers every request; http.DefaultServeMux if nil.
	Handler http.Handler
	// TLSConfig is used by ServeTLS and ListenAndServeTLS. Its NextProtos
	// are set to "http/1.1" if empty: this server speaks HTTP/1.1 only.
	TLSConfig *tls.Config

	// ReadHeaderTimeout bounds reading a request's head (default 10s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a request's body, counted from when the
	// handler starts (0: no limit). A request without a body gets none:
	// its connection is read only to notice the client leaving.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response, counted from when the
	// handler starts (0: no limit).
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long (default 5s).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's head (default 64 KiB).
	MaxHeaderBytes int
	// MaxRequestLine bounds a request line, in bytes without its CRLF:
	// longer gets 414 (default 8 KiB, chapter 2's; negative: as long as
	// MaxHeaderBytes). Main sets Gunicorn's 4094 (--limit-request-line).
	// net/http has no such field, nor the next two.
	MaxRequestLine int
	// MaxHeaderFields bounds the number of header fields: more gets 431
	// (default 100; negative: as many as MaxHeaderBytes holds).
	MaxHeaderFields int
	// MaxFieldSize bounds one header field line, in bytes with its CRLF:
	// longer gets 431 (0 or negative: only MaxHeaderBytes bounds it). Main
	// sets Gunicorn's 8190 (--limit-request-field-size).
	MaxFieldSize int
	// MaxBodyBytes bounds a request's body: more gets 413 (default 1 GiB;
	// negative: no limit). net/http has no such field.
	MaxBodyBytes int64
	// MaxConns bounds open connections; those past it get 503 at once
	// (0: no limit). net/http has no such field.
	MaxConns int

	// ErrorLog receives the server's errors (rejected requests, panics);
	// the log package's standard logger if nil.
	ErrorLog *log.Logger
	// LogConnLife also logs the ordinary ends of connections to ErrorLog:
	// keep-alive connections closed after IdleTimeout, connections that
	// sent no request within ReadHeaderTimeout, clients gone before the
	// TLS handshake. They are normal life, not errors (a browser leaves
	// several idle connections behind every page), so they are not logged
	// by default; --log-level debug sets it. net/http has no such field.
	LogConnLife bool
	// ConnState is called as connections change state, as in net/http.
	ConnState func(net.Conn, http.ConnState)

	// onResponse, set by Main, feeds the access log and worker recycling.
	onResponse func(r *http.Request, status int, written int64, start time.Time)

	once sync.Once
	srv  *ch07.Server
}

// server builds the chapters' server from the fields, once.
func (s *Server) server() *ch07.Server {
	s.once.Do(func() {
		inner := &ch05.Server{
			Addr:              s.Addr,
			Handler:           withTLSState(refuseMisdirected(withTimeouts(s.Handler, s.ReadTimeout, s.WriteTimeout, s.logf))),
			Limits:            s.limits(),
			ReadHeaderTimeout: s.ReadHeaderTimeout,
			IdleTimeout:       s.IdleTimeout,
			Logf:              s.logf,
			ConnState:         s.ConnState,
			OnResponse:        s.onResponse,
			QuietRequests:     true, // errors only: requests go to the access log
			QuietConnLife:     !s.LogConnLife,
		}
		// The handshake logs where the chapters log, which Serve may
		// change (Options.Logf) after this is built.
		inner.ConnContext = handshake(s.ReadHeaderTimeout, s.LogConnLife, func(format string, args ...any) {
			if inner.Logf != nil {
				inner.Logf(format, args...)
			}
		})
		s.srv = ch07.Wrap(inner, ch09.New(inner))
	})
	return s.srv
}

// limits maps the fields to chapter 2's parser limits. Chapter 2 reads a
// zero limit as its default, so "no limit but MaxHeaderBytes" is the
// header limit itself: a request line may be as long as a whole head may
// be, and no head within the limit holds more fields than it has bytes.
func (s *Server) limits() ch02.Limits {
	head := s.MaxHeaderBytes
	if head <= 0 {
		head = ch02.DefaultMaxHeaderBytes
	}
	lim := ch02.Limits{
		MaxRequestLine:  s.MaxRequestLine,
		MaxHeaderBytes:  s.MaxHeaderBytes,
		MaxHeaderFields: s.MaxHeaderFields,
		MaxFieldSize:    max(s.MaxFieldSize, 0),
		MaxBodyBytes:    s.MaxBodyBytes,
	}
	if s.MaxRequestLine < 0 {
		lim.MaxRequestLine = head
	}
	if s.MaxHeaderFields < 0 {
		lim.MaxHeaderFields = head
	}
	return lim
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// ListenAndServe listens on Addr and serves.
func (s *Server) ListenAndServe() error {
	ln, err := ch09.ListenTCP(s.addr(":http"))
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeTLS listens on Addr and serves HTTPS with the certificate
// and key in the given PEM files.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	ln, err := ch09.ListenTCP(s.addr(":https"))
	if err != nil {
		return err
	}
	return s.ServeTLS(ln, certFile, keyFile)
}

func (s *Server) addr(def string) string {
	if s.Addr == "" {
		return def
	}
	return s.Addr
}

// Serve accepts connections on ln and serves them until Shutdown or
// Close.
func (s *Server) Serve(ln net.Listener) error {
	if s.MaxConns > 0 {
		ln = limitListener(ln, s.MaxConns, s.logf)
	}
	err := s.server().Serve(ln)
	if errors.Is(err, ch01.ErrServerClosed) {
		return http.ErrServerClosed
	}
	return err
}

// ServeTLS serves HTTPS on ln with the certificate and key in the given
// PEM files (or TLSConfig's certificates when both are empty), through
// the same connection loop as plain HTTP: only the bytes are encrypted.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	cfg, err := tlsConfig(s.TLSConfig, certFile, keyFile)
	if err != nil {
		return err
	}
	return s.Serve(tls.NewListener(ln, cfg))
}

// Shutdown stops the server gracefully (chapter 7): no new connections,
// idle ones closed, in-flight requests finished; ctx bounds the wait.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.server().Shutdown(ctx)
}

// Close stops the server at once, cutting in-flight requests.
func (s *Server) Close() error {
	return s.server().Close()
}

// SetKeepAlivesEnabled turns keep-alive on or off, as net/http's does.
func (s *Server) SetKeepAlivesEnabled(v bool) {
	s.server().SetKeepAlivesEnabled(v)
}

// tlsConfig returns a copy of base with the certificate loaded and
// HTTP/1.1 as the only ALPN protocol.
func tlsConfig(base *tls.Config, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("final: load TLS certificate: %w", err)
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil {
		return nil, errors.New("final: TLS needs a certificate (--tls-cert and --tls-key)")
	}
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"http/1.1"}
	}
	return cfg, nil
}

// withTimeouts sets the deadlines of net/http's ReadTimeout and
// WriteTimeout on each request, through http.ResponseController, which
// chapter 4's Response supports: the chapters bound the head
// (ReadHeaderTimeout) and the wait between requests (IdleTimeout), this
// bounds the rest. The read deadline bounds the body, so a request without
// one gets none: from its start, its connection is read only to notice the
// client leaving (r.Context()), which no deadline must cut short. Chapter
// 4 clears the deadline too when a body has been read to its end.
//
// The deadlines are set on chapter 4's Response, which supports them; one
// that cannot be set (the connection already gone) is logged, and the
// handler runs anyway: there is no one left to answer.
func withTimeouts(h http.Handler, read, write time.Duration, logf func(string, ...any)) http.Handler {
	if h == nil {
		h = http.DefaultServeMux
	}
	if read <= 0 && write <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		if read > 0 && r.Body != http.NoBody {
			if err := rc.SetReadDeadline(now.Add(read)); err != nil {
				logf("final: %s %s: read timeout not set: %v", r.Method, r.URL.Path, err)
			}
		}
		if write > 0 {
			if err := rc.SetWriteDeadline(now.Add(write)); err != nil {
				logf("final: %s %s: write timeout not set: %v", r.Method, r.URL.Path, err)
			}
		}
		h.ServeHTTP(w, r)
	})
}
