package learn

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"github.com/httpfromscratch/course/internal/harness"
)

// traceListener wraps a stage's listener so every accepted connection
// reports the bytes it reads and writes. It is how `learn run --trace`
// shows the wire without the stage knowing: the chapters stay free of any
// tracing code.
type traceListener struct {
	net.Listener
	t *tracer
}

func (l *traceListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	id := l.t.next.Add(1)
	l.t.event(id, "+", []byte(fmt.Sprintf("connection from %s", c.RemoteAddr())))
	return &traceConn{Conn: c, id: id, t: l.t}, nil
}

// File passes the listener's descriptor through, so a prefork master can
// share a traced listener with its workers (which trace for themselves).
func (l *traceListener) File() (*os.File, error) {
	fl, ok := l.Listener.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, fmt.Errorf("trace: %T has no file descriptor", l.Listener)
	}
	return fl.File()
}

// tracer prints trace events, one line each, with colors at this edge.
type tracer struct {
	s    *style
	pid  int // shown when several worker processes share the output
	next atomic.Uint64
	mu   sync.Mutex
}

// event prints data as one line per wire line: direction ("<" in, ">"
// out, "+" opened, "-" closed), connection id, and the bytes with \r\n
// and other control bytes made visible.
func (t *tracer) event(id uint64, dir string, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prefix := fmt.Sprintf("[conn %d] %s ", id, dir)
	if t.pid != 0 {
		prefix = fmt.Sprintf("[%d conn %d] %s ", t.pid, id, dir)
	}
	paint := t.s.dim
	switch dir {
	case "<":
		paint = t.s.code
	case ">":
		paint = t.s.ok
	}
	if dir == "+" || dir == "-" {
		t.s.printf("%s%s\n", paint.Sprint(prefix), t.s.dim.Sprint(string(data)))
		return
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		t.s.printf("%s%s\n", paint.Sprint(prefix), harness.Escape(line))
	}
}

// traceConn reports a connection's traffic to its tracer.
type traceConn struct {
	net.Conn
	id     uint64
	t      *tracer
	closed atomic.Bool
}

func (c *traceConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.t.event(c.id, "<", p[:n])
	}
	return n, err
}

func (c *traceConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.t.event(c.id, ">", p[:n])
	}
	return n, err
}

func (c *traceConn) Close() error {
	if !c.closed.Swap(true) {
		c.t.event(c.id, "-", []byte("closed"))
	}
	return c.Conn.Close()
}

// CloseWrite keeps half-close working through the wrapper.
func (c *traceConn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("trace: %T cannot half-close", c.Conn)
	}
	c.t.event(c.id, "-", []byte("write side shut (FIN sent)"))
	return cw.CloseWrite()
}

// traceLegend is printed under the banner when --trace is on.
const traceLegend = "tracing: < bytes in, > bytes out, + connection opened, - closed"
