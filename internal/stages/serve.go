package stages

import (
	"context"
	"net"
	"net/http"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/httpfromscratch/course/chapters/ch05"
	"github.com/httpfromscratch/course/chapters/ch06"
	"github.com/httpfromscratch/course/chapters/ch07"
	"github.com/httpfromscratch/course/chapters/ch08"
	"github.com/httpfromscratch/course/chapters/ch09"
	"github.com/httpfromscratch/course/demo"
	"github.com/httpfromscratch/course/final"
)

// newCh05 returns the keep-alive server of chapter 5 serving the demo app,
// configured from the run flags.
func newCh05(cfg Config) *ch05.Server {
	return &ch05.Server{
		Handler:           demo.New(),
		Limits:            demoLimits(cfg),
		IdleTimeout:       cfg.IdleTimeout,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		Logf:              cfg.Logf,
	}
}

func serveCh05(ctx context.Context, ln net.Listener, cfg Config) error {
	return serveKeepAlive(ctx, ln, newCh05(cfg), ch05.ErrServerClosed)
}

// serveCh09 serves the same settings as ch05 with chapter 9's engine,
// and its heap floor (--gc-floor).
func serveCh09(ctx context.Context, ln net.Listener, cfg Config) error {
	floor := int64(ch09.DefaultHeapFloor)
	if cfg.GCFloor != nil {
		floor = int64(*cfg.GCFloor)
	}
	defer ch09.StartHeapFloor(floor).Stop()
	return serveKeepAlive(ctx, ln, ch09.New(newCh05(cfg)), ch09.ErrServerClosed)
}

// keepAliveServer is what ch05's and ch09's Servers share.
type keepAliveServer interface {
	Serve(ln net.Listener) error
	Close() error
}

// serveKeepAlive serves srv on ln until ctx is done; closed is the error
// srv's Serve returns once closed.
func serveKeepAlive(ctx context.Context, ln net.Listener, srv keepAliveServer, closed error) error {
	return serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Close, closed)
}

// serveCh06 runs a master of --workers processes (1 if unset), each a
// ch05 server on the shared socket; in a worker process it is the worker.
func serveCh06(ctx context.Context, ln net.Listener, cfg Config) error {
	if cfg.Worker {
		// The socket is open and connections queue in it: a master that is
		// replacing a worker may stop the old one now.
		if err := ch06.NotifyReady(); err != nil {
			return err
		}
		return serveCh05(ctx, ln, cfg)
	}
	return runMaster(ctx, ln, cfg, master(cfg, max(cfg.Workers, 1), nil))
}

// runMaster runs m on ln with chapter 6's control signals wired to it
// (ch06.Master.HandleSignal: SIGHUP reloads, SIGTTIN and SIGTTOU add and
// remove a worker), as Gunicorn's master has them.
func runMaster(ctx context.Context, ln net.Listener, cfg Config, m *ch06.Master) error {
	return runMasterWith(ctx, ln, cfg, m, nil)
}

// runMasterWith is runMaster with extra handling the signals in more.
func runMasterWith(ctx context.Context, ln net.Listener, cfg Config, m *ch06.Master, extra func(os.Signal), more ...os.Signal) error {
	stop := final.OnSignals(func(sig os.Signal) {
		if !m.HandleSignal(sig) {
			extra(sig)
		}
	}, append(slices.Clone(ch06.ControlSignals), more...)...)
	defer stop()
	return m.Run(ctx, ln)
}

// master returns the prefork master for a stage: workers re-run the
// same learn command line.
func master(cfg Config, workers int, force <-chan struct{}) *ch06.Master {
	return &ch06.Master{
		Workers:     workers,
		Args:        cfg.Args,
		Logf:        cfg.Logf,
		StopTimeout: gracefulTimeout(cfg) + ch07.WorkerExitMargin,
		Force:       force,
	}
}

func gracefulTimeout(cfg Config) time.Duration {
	if cfg.GracefulTimeout > 0 {
		return cfg.GracefulTimeout
	}
	return ch07.DefaultGracefulTimeout
}

// serveCh07 shuts down gracefully: as a single process when --workers is
// unset, else as a prefork master whose workers each shut down gracefully.
func serveCh07(ctx context.Context, ln net.Listener, cfg Config) error {
	return serveGraceful(ctx, ln, cfg, newCh05(cfg))
}

func serveGraceful(ctx context.Context, ln net.Listener, cfg Config, srv *ch05.Server) error {
	switch {
	case cfg.Worker:
		// Set up (chapter 8's log is open): the master may stop the worker
		// this one replaces. It sends SIGTERM once, and SIGKILL past the
		// timeout.
		if err := ch06.NotifyReady(); err != nil {
			return err
		}
		return ch07.Run(ctx, nil, ch07.New(srv), ln, gracefulTimeout(cfg), cfg.Logf)
	case cfg.Workers > 0:
		return runMaster(ctx, ln, cfg, master(cfg, cfg.Workers, cfg.Force))
	default:
		return ch07.Run(ctx, cfg.Force, ch07.New(srv), ln, gracefulTimeout(cfg), cfg.Logf)
	}
}

// serveCh08 is ch07 plus the access log. Each process opens the log
// itself (whole-line writes keep the workers' lines apart); SIGUSR1
// reopens it, and a master forwards SIGUSR1 to its workers.
func serveCh08(ctx context.Context, ln net.Listener, cfg Config) error {
	if !cfg.Worker && cfg.Workers > 0 {
		// Each worker opens the log itself: find out now whether they can.
		if err := ch08.CheckAccessLog(cfg.AccessLog, cfg.AccessLogFormat); err != nil {
			return err
		}
		m := master(cfg, cfg.Workers, cfg.Force)
		return runMasterWith(ctx, ln, cfg, m, func(os.Signal) { m.Signal(syscall.SIGUSR1) }, syscall.SIGUSR1)
	}
	srv := newCh05(cfg)
	// Requests are the access log's business from here on, even when it
	// is off: the log on stderr keeps to errors.
	srv.QuietRequests = true
	// Catch SIGUSR1 before the log opens: one sent meanwhile waits, and
	// reopens the log after, rather than being lost.
	usr1 := final.QueueSignals(syscall.SIGUSR1)
	defer usr1.Stop()
	logger, err := ch08.OpenAccessLog(cfg.AccessLog, cfg.AccessLogFormat, cfg.StatusStyle)
	if err != nil {
		return err
	}
	if logger != nil {
		usr1.Handle(func(os.Signal) {
			if err := logger.Reopen(); err != nil {
				cfg.Logf("ch08: reopen access log: %v", err)
				return
			}
			cfg.Logf("ch08: access log reopened")
		})
		srv.OnResponse = func(r *http.Request, status int, written int64, start time.Time) {
			e := ch08.NewEntry(r, status, written, start)
			logger.Log(&e)
		}
	}
	err = serveGraceful(ctx, ln, cfg, srv)
	if logger != nil {
		// After the last response: every line is in, nothing is lost.
		if cerr := logger.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}
