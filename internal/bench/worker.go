package bench

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// MaxDialBackoff bounds the pause between failed dials of one connection:
// 1 ms doubling up to 100 ms, so a server that is down is not hammered in
// a tight loop, and comes back into use quickly when it is up again.
const MaxDialBackoff = 100 * time.Millisecond

// worker drives one connection of a run. Its hot path, a batch on an open
// connection, allocates nothing: the requests are one pre-built []byte,
// responses are parsed in place in a reused buffer, and latencies go into
// the worker's own histogram, so the bench does not measure its own
// garbage collector.
type worker struct {
	r      *run
	req    []byte // cfg.Pipeline copies of the request
	reqLen int    // one request's length
	br     *bufio.Reader
	hist   *Histogram
	dialer net.Dialer

	// mu guards nc against interrupt, which Run calls from another
	// goroutine; the worker itself reads nc without it.
	mu sync.Mutex
	nc net.Conn

	requests, errors, non2xx int64
}

func newWorker(r *run, req []byte) *worker {
	return &worker{
		r:      r,
		req:    req,
		reqLen: len(req) / r.cfg.Pipeline,
		br:     bufio.NewReaderSize(nil, ReadBufferSize),
		hist:   NewHistogram(),
		dialer: net.Dialer{Timeout: r.cfg.Timeout},
	}
}

// run sends batches until the run is over.
func (w *worker) run(ctx context.Context) {
	defer w.setConn(nil)
	backoff := time.Duration(0)
	for {
		start := time.Now()
		n := w.r.claim(w.r.cfg.Pipeline, start)
		if n == 0 {
			return
		}
		if w.nc == nil {
			nc, err := w.dialer.DialContext(ctx, "tcp", w.r.cfg.Addr)
			if err != nil {
				if ctx.Err() != nil {
					// Cancelled: the dial failed because the bench is
					// stopping, possibly before Run's watcher has said so
					// (r.stopped), and it is not the server's failure.
					return
				}
				w.fail(n)
				backoff = min(max(2*backoff, time.Millisecond), MaxDialBackoff)
				w.pause(ctx, backoff)
				continue
			}
			backoff = 0
			w.setConn(nc)
			w.br.Reset(nc)
		}
		w.batch(n, start)
	}
}

// batch writes n requests at once and reads their n responses, recording
// each response's latency from start.
func (w *worker) batch(n int, start time.Time) {
	nc := w.nc
	nc.SetDeadline(start.Add(w.r.cfg.Timeout))
	// An interrupt between claim and SetDeadline would be undone by the
	// line above: look again now that the deadline is set.
	if w.r.stopped.Load() {
		w.setConn(nil)
		return
	}
	if _, err := nc.Write(w.req[:n*w.reqLen]); err != nil {
		w.fail(n)
		w.setConn(nil)
		return
	}
	answered := 0
	for answered < n {
		resp, err := readResponse(w.br)
		if err != nil {
			w.fail(n - answered)
			w.setConn(nil)
			break
		}
		w.hist.Record(time.Since(start))
		answered++
		w.requests++
		if resp.status < 200 || resp.status > 299 {
			w.non2xx++
		}
		if resp.close || w.r.cfg.NoKeepAlive {
			// RFC 9112 section 9.3.2: requests the server will not
			// answer after announcing close are sent again, as a client
			// retries them, on a new connection.
			w.r.unclaim(n - answered)
			w.closeAfterServer(resp.close)
			break
		}
	}
	w.r.requests.Add(int64(answered))
}

// closeAfterServer closes the connection after its last response. When
// the server said it would close, it waits for that close first, so the
// TIME_WAIT state lands on the server's side (RFC 9293 section 3.6) and
// a run without keep-alive does not use up the client's ephemeral ports.
func (w *worker) closeAfterServer(serverCloses bool) {
	if serverCloses {
		for {
			if _, err := w.br.ReadByte(); err != nil {
				break // io.EOF, or the batch deadline
			}
		}
	}
	w.setConn(nil)
}

// fail counts n failed requests, unless the run is being stopped, when the
// failure is the bench's own doing.
func (w *worker) fail(n int) {
	if w.r.stopped.Load() {
		return
	}
	w.errors += int64(n)
	w.r.errors.Add(int64(n))
}

// pause waits d, or less when the run ends sooner.
func (w *worker) pause(ctx context.Context, d time.Duration) {
	if !w.r.end.IsZero() {
		d = min(d, time.Until(w.r.end))
	}
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// setConn replaces the worker's connection, closing the old one.
func (w *worker) setConn(nc net.Conn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.nc != nil {
		w.nc.Close()
	}
	w.nc = nc
	if nc == nil {
		w.br.Reset(eofReader{})
	}
}

// interrupt cuts short the batch in flight, if any: its reads and writes
// fail at once. Run calls it when its context is done.
func (w *worker) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.nc != nil {
		w.nc.SetDeadline(time.Unix(1, 0))
	}
}

// eofReader is an idle worker's read side, so its buffer holds no
// reference to a closed connection.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
