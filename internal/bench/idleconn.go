package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/httpfromscratch/course/internal/proc"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// held is the connections an idle measurement opens and holds. It keeps
// no buffer per connection: a read buffer belongs to each of the
// IdleDialers goroutines and is lent to one connection at a time, so the
// bench's own memory stays small while the server holds thousands.
type held struct {
	addr    string
	req     []byte // GET path, keep-alive
	timeout time.Duration
	dialer  net.Dialer
	conns   []net.Conn
}

func newHeld(addr string, ic IdleConfig) *held {
	return &held{
		addr:    addr,
		req:     buildRequest(Config{Host: addr, Path: ic.Path}, 1),
		timeout: ic.Timeout,
		dialer:  net.Dialer{Timeout: ic.Timeout},
		conns:   make([]net.Conn, ic.Conns),
	}
}

// warmUp sends one GET on a connection of its own and closes it, so that
// the server's empty memory is that of a server that has served: its
// handler, pools and caches have run once.
func (h *held) warmUp(ctx context.Context) error {
	nc, err := h.dialer.DialContext(ctx, "tcp", h.addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	return h.get(nc, bufio.NewReaderSize(nil, ReadBufferSize))
}

// open opens connection i and sends its first GET.
func (h *held) open(ctx context.Context, i int, br *bufio.Reader) error {
	nc, err := h.dialer.DialContext(ctx, "tcp", h.addr)
	if err != nil {
		return err
	}
	h.conns[i] = nc
	return h.get(nc, br)
}

// again sends the second GET on connection i.
func (h *held) again(ctx context.Context, i int, br *bufio.Reader) error {
	return h.get(h.conns[i], br)
}

// get sends GET path on nc and reads the response through br, which it
// leaves holding nothing of nc. The response must be 2xx and leave the
// connection open: an idle connection is one the server keeps.
func (h *held) get(nc net.Conn, br *bufio.Reader) error {
	nc.SetDeadline(time.Now().Add(h.timeout))
	br.Reset(nc)
	defer br.Reset(eofReader{})
	if _, err := nc.Write(h.req); err != nil {
		return err
	}
	resp, err := readResponse(br)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the server closed the connection without answering")
	case err != nil:
		return err
	case resp.status < 200 || resp.status > 299:
		return fmt.Errorf("status %d, want 2xx", resp.status)
	case resp.close:
		return errors.New("the response closes the connection (Connection: close, or a body ended by closing): it cannot be held idle")
	case br.Buffered() > 0:
		return fmt.Errorf("%d bytes after the response", br.Buffered())
	}
	return nil
}

// each calls f for every connection index, IdleDialers calls at a time,
// each goroutine lending its own read buffer, and counts the calls done.
// It stops handing out work when ctx is done, and at the first failure
// unless all is true. It returns how many calls failed and the first
// failure, naming its connection.
func (h *held) each(ctx context.Context, all bool, done *atomic.Int64,
	f func(ctx context.Context, i int, br *bufio.Reader) error) (int, error) {
	n := len(h.conns)
	var (
		next, failed atomic.Int64
		first        error // set by the goroutine whose failure is the first
		wg           sync.WaitGroup
	)
	for range min(IdleDialers, n) {
		wg.Go(func() {
			br := bufio.NewReaderSize(nil, ReadBufferSize)
			for ctx.Err() == nil && (all || failed.Load() == 0) {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(ctx, i, br); err != nil && failed.Add(1) == 1 {
					first = fmt.Errorf("connection %s of %s: %w", thousands(int64(i+1)), thousands(int64(n)), err)
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return int(failed.Load()), first
}

// close closes every connection opened.
func (h *held) close() {
	for i, nc := range h.conns {
		if nc != nil {
			nc.Close()
			h.conns[i] = nil
		}
	}
}

// MaxPIDBody bounds the answer to GET /pid the bench reads.
const MaxPIDBody = 64

// serverPID returns the process that serves p's connections: the one
// that answers the demo app's GET /pid, which for a prefork server is a
// worker, not the master that was started. A server that does not answer
// GET /pid with a number is taken to serve in the process started. A pid
// that is neither that process nor one of its descendants is an error:
// its memory would say nothing of the server.
func serverPID(ctx context.Context, p *process, timeout time.Duration) (int, error) {
	started := p.Pid()
	body, ok := getPIDBody(ctx, p.addr, timeout)
	if !ok {
		return started, nil
	}
	pid, ok := parsePID(body)
	switch {
	case !ok:
		return started, nil
	case !proc.Descendant(pid, started):
		return 0, fmt.Errorf("GET /pid answered %d, which is neither the server's process %d nor one of its children", pid, started)
	}
	return pid, nil
}

// getPIDBody sends GET /pid and returns the body of a 200 answer, or
// false. It is one request, so net/http's client does.
func getPIDBody(ctx context.Context, addr string, timeout time.Duration) ([]byte, bool) {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/pid", nil)
	if err != nil {
		return nil, false
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPIDBody+1))
	if err != nil || resp.StatusCode != http.StatusOK || len(body) > MaxPIDBody {
		return nil, false
	}
	return body, true
}

// parsePID reads the body of the demo app's GET /pid, "12345\n".
func parsePID(body []byte) (int, bool) {
	n, err := strconv.Atoi(string(bytes.TrimSpace(body)))
	return n, err == nil && n > 0
}
