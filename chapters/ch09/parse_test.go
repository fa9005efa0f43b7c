package ch09

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

// reused is a parsertest.ReadFunc that reads every request with one
// Parser, as a connection does: a table case leaving something behind
// in it would change the next case's verdict.
func reused() parsertest.ReadFunc {
	var p Parser
	return func(br *bufio.Reader, lim *ch02.Limits) (*ch02.Request, error) {
		p.Limits = ch02.Limits{}
		if lim != nil {
			p.Limits = *lim
		}
		return p.ReadRequest(br)
	}
}

// TestParser runs chapter 2's parser tables (internal/parsertest)
// against the fast Parser.
func TestParser(t *testing.T) { parsertest.Run(t, reused()) }

// TestReaderPipeline reads several requests from one stream with one
// Parser, which must reuse its Request.
func TestReaderPipeline(t *testing.T) {
	var p Parser
	first := parsertest.Pipeline(t, p.ReadRequest)
	if first != &p.req {
		t.Errorf("Parser did not reuse its Request")
	}
}

// TestLLHTTPConformance runs llhttp's strict request fixtures against
// the fast Parser, with chapter 2's list of disagreements.
func TestLLHTTPConformance(t *testing.T) {
	parsertest.Conformance(t, "../ch02/testdata", reused())
}

// TestDifferentialNetHTTP compares the fast Parser with net/http's
// http.ReadRequest, with chapter 2's list of differences.
func TestDifferentialNetHTTP(t *testing.T) {
	parsertest.Differential(t, "../ch02/testdata", reused())
}

// TestValidFieldValue checks the eight-bytes-at-a-time scan against
// ch02.ValidFieldValue: every byte value, at every position of a word
// and of the tail.
func TestValidFieldValue(t *testing.T) {
	for c := range 256 {
		for pos := range 19 {
			b := []byte(strings.Repeat("v", 19))
			b[pos] = byte(c)
			if got, want := validFieldValue(string(b)), ch02.ValidFieldValue(string(b)); got != want {
				t.Errorf("validFieldValue(%q) = %v, want %v", b, got, want)
			}
		}
	}
}

// TestForget checks that Forget drops the last request's strings and
// reader, and that the Parser still works after it.
func TestForget(t *testing.T) {
	in := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
	var p Parser
	req, err := p.ReadRequest(bufio.NewReader(strings.NewReader(in)))
	if err != nil {
		t.Fatalf("readRequest(%q) = %v", in, err)
	}
	p.Forget()
	if req.Method != "" || req.Body != nil || p.fixed != (ch02.FixedBody{}) {
		t.Errorf("after Forget, the Parser holds %+v", req)
	}
	for _, f := range req.Header[:cap(req.Header)] {
		if f != (ch02.Field{}) {
			t.Errorf("after Forget, the Header array holds %v", f)
		}
	}
	if _, err := p.ReadRequest(bufio.NewReader(strings.NewReader(in))); err != nil {
		t.Errorf("after Forget, readRequest(%q) = %v", in, err)
	}
}

// TestAllocs checks the point of this Parser: one allocation for a
// typical head, the string all of the Request's strings share.
func TestAllocs(t *testing.T) {
	rd := strings.NewReader(parsertest.BrowserGET)
	br := bufio.NewReader(rd)
	var p Parser
	allocs := testing.AllocsPerRun(100, func() {
		rd.Reset(parsertest.BrowserGET)
		br.Reset(rd)
		if _, err := p.ReadRequest(br); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("readRequest(%q): %v allocations, want 1", parsertest.BrowserGET, allocs)
	}
	// The same head a line per read, as a slow client sends it: the
	// early field-line checks run before every wait, and copy nothing.
	lines := &lineReader{}
	br.Reset(lines)
	allocs = testing.AllocsPerRun(100, func() {
		lines.rest = parsertest.BrowserGET
		br.Reset(lines)
		if _, err := p.ReadRequest(br); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("readRequest(%q), a line per read: %v allocations, want 1", parsertest.BrowserGET, allocs)
	}
}

// lineReader returns rest a line per Read.
type lineReader struct{ rest string }

func (r *lineReader) Read(p []byte) (int, error) {
	if r.rest == "" {
		return 0, io.EOF
	}
	n := strings.IndexByte(r.rest, '\n') + 1
	if n == 0 {
		n = len(r.rest)
	}
	n = copy(p, r.rest[:n])
	r.rest = r.rest[n:]
	return n, nil
}

// FuzzFastMatchesSimple feeds any bytes to both parsers and fails when
// they disagree: status, sentinel, every Request field, the body, the
// trailer and what is left in the reader. The bytes arrive whole, in
// small reads or one at a time, and hold as many requests as parse, read
// in a row from one bufio.Reader by one Parser of each kind.
func FuzzFastMatchesSimple(f *testing.F) {
	seeds := parsertest.FuzzSeeds
	for i, s := range seeds {
		f.Add([]byte(s), uint8(0), uint8(0))
		// Two requests in a row: what one leaves in the Parser must not
		// show in the next.
		f.Add([]byte(s+seeds[(i+1)%len(seeds)]), uint8(1), uint8(1))
		f.Add([]byte(s+seeds[0]), uint8(2), uint8(0))
	}
	for _, raw := range parsertest.RecordInputs(f, "../ch02/testdata") {
		f.Add(raw, uint8(0), uint8(2))
	}
	limits := []ch02.Limits{
		{},
		{MaxRequestLine: 32, MaxHeaderBytes: 64, MaxHeaderFields: 3, MaxBodyBytes: 16},
		{MaxRequestLine: 256, MaxHeaderBytes: 1024, MaxHeaderFields: 16, MaxFieldSize: 24, MaxBodyBytes: 4096},
	}
	f.Fuzz(func(t *testing.T, data []byte, how, limit uint8) {
		lim := limits[int(limit)%len(limits)]
		simple, fast := ch02.Parser{Limits: lim}, Parser{Limits: lim}
		sbr, fbr := feed(data, how), feed(data, how)
		for i := 0; ; i++ {
			sreq, sbody, serr := readAll(simple.ReadRequest, sbr)
			freq, fbody, ferr := readAll(fast.ReadRequest, fbr)
			switch {
			case (serr == nil) != (ferr == nil) || ch02.StatusCode(serr) != ch02.StatusCode(ferr) ||
				sentinel(serr) != sentinel(ferr) || (serr == io.EOF) != (ferr == io.EOF):
				t.Fatalf("request %d of %q: ch02 = %v, ch09 = %v", i, data, serr, ferr)
			case serr == nil && !parsertest.SameRequest(sreq, sbody, freq, fbody):
				t.Fatalf("request %d of %q: ch02 = %+v %q, ch09 = %+v %q", i, data, sreq, sbody, freq, fbody)
			case serr != nil:
				return
			}
			if sbr.Buffered() != fbr.Buffered() {
				t.Fatalf("request %d of %q: ch02 left %d bytes buffered, ch09 %d", i, data, sbr.Buffered(), fbr.Buffered())
			}
		}
	})
}

// feed returns a bufio.Reader over data: whole (how%3 == 0), through a
// 16-byte buffer, or one byte per read.
func feed(data []byte, how uint8) *bufio.Reader {
	switch how % 3 {
	case 1:
		return bufio.NewReaderSize(bytes.NewReader(data), 16)
	case 2:
		return bufio.NewReader(iotest.OneByteReader(bytes.NewReader(data)))
	}
	return bufio.NewReader(bytes.NewReader(data))
}

// readAll reads one request with read, and its body.
func readAll(read func(*bufio.Reader) (*ch02.Request, error), br *bufio.Reader) (*ch02.Request, []byte, error) {
	req, err := read(br)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(req.Body)
	return req, body, err
}

// sentinels are ch02's errors, one of which every parse error wraps.
var sentinels = []error{
	ch02.ErrTruncated, ch02.ErrLineEnding, ch02.ErrRequestLine, ch02.ErrMethod, ch02.ErrTarget,
	ch02.ErrVersion, ch02.ErrVersionNotSupported, ch02.ErrRequestLineTooLong, ch02.ErrFieldLine,
	ch02.ErrObsFold, ch02.ErrLeadingWhitespace, ch02.ErrHeaderTooLarge, ch02.ErrHost,
	ch02.ErrContentLength, ch02.ErrTransferEncoding, ch02.ErrUnsupportedCoding, ch02.ErrBodyTooLarge,
	ch02.ErrChunk, ch02.ErrTrailerField,
}

// sentinel returns the bit set of the sentinels err wraps.
func sentinel(err error) (set uint64) {
	for i, s := range sentinels {
		if errors.Is(err, s) {
			set |= 1 << i
		}
	}
	return set
}

// A request-line ch02 refuses on its own is refused as soon as it has
// arrived, as ch02 refuses it, not once the rest of the head has: a client
// that sent "GET /" (HTTP/0.9) waits for nothing more. So are two empty
// lines: after the one RFC 9112 section 2.2 lets a server skip, a second
// is a request-line that cannot be. Read on, and a client that sent four
// bytes would hold the connection for as long as it liked: no header
// timeout runs for a head the reader already holds.
func TestBadRequestLineRefusedAtOnce(t *testing.T) {
	for _, tc := range []struct {
		line string
		code int
	}{
		{"\r\n\r\n", 400},
		{"GET /\r\n", 400},
		{"GE(T / HTTP/1.1\r\n", 400},
		{"GET / HTTP/2.0\r\n", 505},
		{"GET / HTTP/1.10\r\n", 400},
		{"GET /HTTP/1.1\r\n", 400},
		{"GET / http/1.1\r\n", 400},
		// A field line ch02 refuses on its own, with more to come.
		{"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n", 400},
		{"GET / HTTP/1.1\r\n Host: a\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\nNo-Colon\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n", 400},
		// ... and the next line begun, not ended.
		{"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\nX-Par", 400},
		{"GET / HTTP/1.1\r\n Host: a\r\nX", 400},
	} {
		pr, pw := io.Pipe()
		go pw.Write([]byte(tc.line)) //nolint:errcheck // ends with the pipe
		got := make(chan error, 1)
		go func() {
			var p Parser
			_, err := p.ReadRequest(bufio.NewReader(pr))
			got <- err
		}()
		select {
		case err := <-got:
			if c := ch02.StatusCode(err); c != tc.code {
				t.Errorf("%q: ReadRequest() = %v (%d), want %d", tc.line, err, c, tc.code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%q: ReadRequest still waits for the rest of the head after 10s", tc.line)
		}
		pr.Close()
		pw.Close()
	}
}
