package ch02_test

import (
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

// BenchmarkParse parses a typical browser GET (parsertest.BrowserGET)
// with one Parser, as a connection loop does. Compare with
// BenchmarkParseNetHTTP, run on the same bytes.
func BenchmarkParse(b *testing.B) {
	var p ch02.Parser
	parsertest.BenchParse(b, p.ReadRequest)
}

// BenchmarkParseNetHTTP is net/http's http.ReadRequest on the same bytes.
func BenchmarkParseNetHTTP(b *testing.B) { parsertest.BenchNetHTTP(b) }

// BenchmarkParseChunked parses a chunked POST with three chunks and reads
// its body.
func BenchmarkParseChunked(b *testing.B) {
	var p ch02.Parser
	parsertest.BenchChunked(b, p.ReadRequest)
}
