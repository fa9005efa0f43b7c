package ch08

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeRecorder keeps every Write call separately.
type writeRecorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func TestLoggerWritesWholeLinesAtomically(t *testing.T) {
	rec := &writeRecorder{}
	l := New(rec, Common, -1) // unbuffered first, then buffered below
	l.Close()

	rec = &writeRecorder{}
	l = New(rec, Combined, 3600e9) // only Close flushes
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				e := sampleEntry()
				e.RequestURI = fmt.Sprintf("/g%d/%d", g, i)
				l.Log(&e)
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, w := range rec.writes {
		if len(w) > PipeBuf {
			t.Errorf("a write of %d bytes, over PipeBuf (%d)", len(w), PipeBuf)
		}
		if !bytes.HasSuffix(w, []byte("\n")) {
			t.Errorf("a write that does not end a line: %q", w)
		}
		lines += bytes.Count(w, []byte("\n"))
	}
	if lines != goroutines*each {
		t.Errorf("logged %d lines, want %d", lines, goroutines*each)
	}
	if len(rec.writes) >= lines/2 {
		t.Errorf("%d writes for %d lines: the buffer does not batch", len(rec.writes), lines)
	}
}

func TestLoggerLongLineIsWrittenAlone(t *testing.T) {
	rec := &writeRecorder{}
	l := New(rec, Common, 3600e9)
	short := sampleEntry()
	long := sampleEntry()
	long.RequestURI = "/" + strings.Repeat("a", 2*PipeBuf)
	l.Log(&short)
	l.Log(&long)
	l.Close()
	if len(rec.writes) != 2 || !bytes.Contains(rec.writes[1], []byte("aaaa")) || bytes.Count(rec.writes[0], []byte("\n")) != 1 {
		t.Errorf("writes = %d, want the short line then the long one alone", len(rec.writes))
	}
}

func TestCloseFlushesAndDropsLaterLines(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Common, 3600e9)
	e := sampleEntry()
	l.Log(&e)
	if buf.Len() != 0 {
		t.Fatalf("written before a flush: %q", buf.String())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("after Close: %q, want the line", buf.String())
	}
	l.Log(&e)
	if err := l.Close(); err != ErrClosed {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("a line logged after Close was written: %q", buf.String())
	}
}

func TestReopenAfterRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	l, err := Open(path, Common, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e := sampleEntry()
	l.Log(&e)
	// logrotate renames the file, then signals the server to reopen.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	l.Log(&e) // still goes to the renamed file
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Log(&e)
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if n := strings.Count(string(old), "\n"); n != 2 {
		t.Errorf("rotated file has %d lines, want 2", n)
	}
	if n := strings.Count(string(cur), "\n"); n != 1 {
		t.Errorf("new file has %d lines, want 1", n)
	}
}

func TestOpenFailsClearly(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "no", "such", "dir", "access.log"), Common, 0)
	if err == nil || !strings.Contains(err.Error(), "ch08: open access log") {
		t.Errorf("Open in a missing directory = %v, want a clear error", err)
	}
}

func TestFlushEachLineWritesAtOnce(t *testing.T) {
	rec := &writeRecorder{}
	l := New(rec, Console, time.Hour) // the timer never fires in this test
	defer l.Close()
	e := sampleEntry()
	l.Log(&e)
	if len(rec.writes) != 0 {
		t.Fatalf("buffered by default, but %d writes before a flush", len(rec.writes))
	}
	l.SetFlushEachLine(true) // writes the buffered line first
	l.Log(&e)
	if len(rec.writes) != 2 {
		t.Fatalf("%d writes right after Log, want 2: the buffered line, then the new one", len(rec.writes))
	}
	for _, w := range rec.writes {
		if bytes.Count(w, []byte("\n")) != 1 || !bytes.HasSuffix(w, []byte("\n")) {
			t.Errorf("a write that is not one whole line: %q", w)
		}
	}
}

// TestConsoleOnATerminalShowsEachLineAtOnce opens the access log as `learn
// run ch08` does by default (console format on stdout), with stdout a pipe
// that pretends to be a terminal, and reads the line right after Log: it
// must not wait for the flush timer. On a plain pipe, lines stay buffered.
func TestConsoleOnATerminalShowsEachLineAtOnce(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		savedStdout, savedIsTerminal := os.Stdout, isTerminal
		os.Stdout = w
		isTerminal = func(f *os.File) bool { return terminal && f == w }
		l, err := OpenAccessLog("", "", nil)
		os.Stdout, isTerminal = savedStdout, savedIsTerminal
		if err != nil {
			t.Fatal(err)
		}
		e := sampleEntry()
		l.Log(&e)
		// Well under DefaultFlushInterval: only a line written by Log
		// itself arrives in time.
		r.SetReadDeadline(time.Now().Add(DefaultFlushInterval / 4))
		buf := make([]byte, 4096)
		n, err := r.Read(buf)
		got := string(buf[:n])
		switch {
		case terminal && err != nil:
			t.Errorf("on a terminal: no line right after Log (%v): it waits for the flush timer", err)
		case terminal && (!strings.Contains(got, `"GET /apache_pb.gif HTTP/1.0" 200`) || !strings.HasSuffix(got, "\n")):
			t.Errorf("on a terminal: read %q, want the whole console line", got)
		case !terminal && n > 0:
			t.Errorf("on a pipe: %q written before a flush, want it buffered", got)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		w.Close()
		r.Close()
	}
}

// logOntoAFullDisk opens a Common log on path, flushed every interval,
// and points it at /dev/full, a disk with no room, until the next
// Reopen; it returns it with an entry to log.
func logOntoAFullDisk(t *testing.T, path string, interval time.Duration) (*Logger, Entry) {
	t.Helper()
	l, err := Open(path, Common, interval)
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full to fill the disk with:", err)
	}
	l.mu.Lock()
	l.out = full
	l.mu.Unlock()
	return l, Entry{RemoteAddr: "1.2.3.4:5", Start: time.Now(), Method: "GET", RequestURI: "/", Proto: "HTTP/1.1", Status: 200}
}

// TestTimerKeepsTheWriteError: a write that fails on the flush timer's
// tick is reported by the next Close: the timer has nobody to report it
// to, and must not drop it.
func TestTimerKeepsTheWriteError(t *testing.T) {
	l, e := logOntoAFullDisk(t, filepath.Join(t.TempDir(), "access.log"), 10*time.Millisecond)
	l.Log(&e)
	time.Sleep(100 * time.Millisecond) // ten ticks: the line was written, and failed
	if err := l.Close(); err == nil {
		t.Error("Close after a write failed on the timer's tick reported nothing")
	}
}

// TestWriteErrorIsReportedOnce: a write error (a disk full for a moment)
// is reported by the next Flush, and not again: once the disk has room,
// Reopen and Close succeed, and the lines logged since are in the file.
func TestWriteErrorIsReportedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	l, e := logOntoAFullDisk(t, path, time.Hour)
	l.Log(&e)
	if err := l.Flush(); err == nil {
		t.Fatal("Flush onto a full disk reported no error")
	}
	if err := l.Reopen(); err != nil {
		t.Errorf("Reopen once the disk has room: %v, want nil: the error was reported already", err)
	}
	l.Log(&e)
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v, want nil", err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"GET / HTTP/1.1" 200`) {
		t.Errorf("the file holds %q, want the line logged after the reopen", b)
	}
}
