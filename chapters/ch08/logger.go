package ch08

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

const (
	// PipeBuf is the most the Logger writes at once: POSIX makes a write
	// of at most PIPE_BUF (4096 bytes on Linux) to a pipe atomic, and a
	// write to a file opened O_APPEND lands whole at its end, so lines
	// from several processes never interleave. A single line longer than
	// this is written alone.
	PipeBuf = 4096
	// DefaultFlushInterval is how long a line may wait in the buffer.
	DefaultFlushInterval = time.Second
)

// ErrClosed is returned by Logger methods after Close.
var ErrClosed = errors.New("ch08: access log closed")

// Logger writes access log lines, buffered, whole lines per write.
type Logger struct {
	// Format is the line format.
	Format Format
	// StatusStyle decorates the status in the Console format (colors).
	StatusStyle StatusStyle

	mu       sync.Mutex
	out      io.Writer // the file or stream lines go to
	file     *os.File  // out when it is a file Open opened (Reopen reopens it)
	path     string
	buf      []byte // whole lines waiting, at most PipeBuf bytes
	line     []byte // scratch for formatting one line
	eachLine bool   // write every line at once (SetFlushEachLine)
	err      error  // first write error, reported by Flush and Close
	closed   bool
	stop     chan struct{}
	done     chan struct{}
}

// Open returns a Logger appending to the file at path, created if needed,
// or writing to stdout when path is "-". Lines are flushed every interval
// (DefaultFlushInterval if zero; a negative interval flushes after every
// line).
func Open(path string, format Format, interval time.Duration) (*Logger, error) {
	if path == "-" {
		return New(os.Stdout, format, interval), nil
	}
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	l := New(f, format, interval)
	l.file, l.path = f, path
	return l, nil
}

func openAppend(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ch08: open access log: %w", err)
	}
	return f, nil
}

// OpenAccessLog opens the access log a server's flags name: path "" or "-"
// is stdout, "off" is no log at all (nil, nil), anything else a file;
// format "" is Console. style colors the console format on stdout. When
// stdout is a terminal, each line is written as it is logged (see
// SetFlushEachLine): someone is watching, and waiting for the flush timer
// would show the lines up to a second late.
func OpenAccessLog(path, format string, style StatusStyle) (*Logger, error) {
	switch path {
	case "off":
		return nil, nil
	case "":
		path = "-"
	}
	f := Console
	if format != "" {
		var err error
		if f, err = ParseFormat(format); err != nil {
			return nil, err
		}
	}
	l, err := Open(path, f, 0)
	if err != nil {
		return nil, err
	}
	if path == "-" {
		l.StatusStyle = style
		l.SetFlushEachLine(isTerminal(os.Stdout))
	}
	return l, nil
}

// CheckAccessLog reports whether OpenAccessLog(path, format, ...) would
// succeed, by opening and closing the log. A prefork master, which logs
// nothing itself, asks before it starts workers that would each fail to
// open it: one clear error at start instead of a crash loop.
func CheckAccessLog(path, format string) error {
	l, err := OpenAccessLog(path, format, nil)
	if l != nil {
		_ = l.Close() // nothing was logged: there is nothing to lose
	}
	return err
}

// isTerminal reports whether f is a terminal (not /dev/null, which is a
// character device too: a benchmark's server logging there stays
// buffered). A variable, so tests can pretend.
var isTerminal = func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// New returns a Logger writing to w (see Open for interval).
func New(w io.Writer, format Format, interval time.Duration) *Logger {
	l := &Logger{Format: format, out: w, buf: make([]byte, 0, PipeBuf)}
	if interval == 0 {
		interval = DefaultFlushInterval
	}
	if interval > 0 {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.flushEvery(interval)
	} else {
		l.buf = nil // no buffering: every line is written at once
	}
	return l
}

// SetFlushEachLine turns per-line writes on or off. On, Log writes every
// line at once, in a write of its own (still whole), instead of keeping
// it in the buffer until the flush timer: the line is out as soon as the
// request is logged, at the cost of a system call per line. OpenAccessLog
// turns it on for a terminal. Turning it on flushes what is buffered.
func (l *Logger) SetFlushEachLine(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if on && !l.closed {
		l.flushLocked()
	}
	l.eachLine = on
}

// flushEvery flushes the buffer every interval until Close.
func (l *Logger) flushEvery(interval time.Duration) {
	defer close(l.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// A write error is kept in l.err, for Flush, Reopen or Close
			// to report.
			l.mu.Lock()
			l.flushLocked()
			l.mu.Unlock()
		case <-l.stop:
			return
		}
	}
}

// Log writes e's line. It never blocks on the flush timer and never
// returns an error: a failing log must not fail the request. The first
// write error is kept for Flush and Close to report.
func (l *Logger) Log(e *Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.line = l.Format.Append(l.line[:0], e, l.StatusStyle)
	if l.buf == nil || l.eachLine || len(l.line) > PipeBuf {
		l.flushLocked()
		l.writeLocked(l.line)
		return
	}
	if len(l.buf)+len(l.line) > PipeBuf {
		l.flushLocked()
	}
	l.buf = append(l.buf, l.line...)
}

// Flush writes the buffered lines and returns the first write error seen
// since the last one Flush, Reopen or Close returned: a full disk that
// has room again is reported once, not for ever.
func (l *Logger) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	return l.takeErr()
}

// takeErr returns the write error not reported yet, and forgets it. l.mu
// is held.
func (l *Logger) takeErr() error {
	err := l.err
	l.err = nil
	return err
}

func (l *Logger) flushLocked() {
	if len(l.buf) > 0 {
		l.writeLocked(l.buf)
		l.buf = l.buf[:0]
	}
}

func (l *Logger) writeLocked(p []byte) {
	if _, err := l.out.Write(p); err != nil && l.err == nil {
		l.err = fmt.Errorf("ch08: write access log: %w", err)
	}
}

// Reopen flushes, then closes and reopens the log file, so lines go to a
// new file after logrotate renamed the old one. For a Logger not opened on
// a path (stdout, or New), it only flushes.
func (l *Logger) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	l.flushLocked()
	if l.file == nil {
		return l.takeErr()
	}
	f, err := openAppend(l.path)
	if err != nil {
		return err // keep writing to the old file rather than nowhere
	}
	l.file.Close()
	l.file, l.out = f, f
	return l.takeErr()
}

// Close flushes what is buffered, stops the flush timer and closes the
// file. Lines logged after Close are dropped.
func (l *Logger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	l.flushLocked()
	err := l.takeErr()
	if l.file != nil {
		if cerr := l.file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("ch08: close access log: %w", cerr)
		}
	}
	l.mu.Unlock()
	if l.stop != nil {
		close(l.stop)
		<-l.done
	}
	return err
}
