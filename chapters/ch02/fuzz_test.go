package ch02_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

// FuzzReadRequest checks that no input makes the parser panic or answer
// with a status it does not document, and that an accepted request,
// written out again by parsertest.WriteRequest, parses to the same request.
func FuzzReadRequest(f *testing.F) {
	for _, s := range parsertest.FuzzSeeds {
		f.Add([]byte(s))
	}
	// And every request of the llhttp conformance suite (testdata/conformance).
	for _, raw := range parsertest.RecordInputs(f, "testdata") {
		f.Add(raw)
	}
	lim := &ch02.Limits{MaxRequestLine: 256, MaxHeaderBytes: 1024, MaxHeaderFields: 16, MaxBodyBytes: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, body, err := parsertest.ParseAll(ch02.ReadRequest, data, lim)
		if err != nil {
			switch code := ch02.StatusCode(err); code {
			case 0:
				if err != io.EOF {
					t.Fatalf("readRequest(%q) = %v with status 0", data, err)
				}
			case 400, 413, 414, 431, 501, 505:
			default:
				t.Fatalf("readRequest(%q) = %v with status %d", data, err, code)
			}
			return
		}
		var wire bytes.Buffer
		req.Body = bytes.NewReader(body)
		if err := parsertest.WriteRequest(&wire, req); err != nil {
			t.Fatalf("readRequest(%q).Write = %v", data, err)
		}
		req2, body2, err := parsertest.ParseAll(ch02.ReadRequest, wire.Bytes(), lim)
		if err != nil {
			t.Fatalf("readRequest(%q) accepted, but its Write output %q = %v", data, wire.Bytes(), err)
		}
		if !parsertest.SameRequest(req, body, req2, body2) {
			t.Fatalf("readRequest(%q) = %+v %q,\nbut its Write output %q = %+v %q", data, req, body, wire.Bytes(), req2, body2)
		}
	})
}
