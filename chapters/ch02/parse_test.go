package ch02_test

import (
	"bufio"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

// TestParser runs the parser tables every parser of the course must pass
// (internal/parsertest) against ch02.ReadRequest.
func TestParser(t *testing.T) { parsertest.Run(t, ch02.ReadRequest) }

// TestReaderPipeline reads several requests from one stream with one
// Parser: each parse must stop exactly at the end of its message.
func TestReaderPipeline(t *testing.T) {
	var p ch02.Parser
	parsertest.Pipeline(t, func(br *bufio.Reader) (*ch02.Request, error) { return p.ReadRequest(br) })
}

// TestLLHTTPConformance runs llhttp's strict request fixtures
// (testdata/conformance) against ch02.ReadRequest.
func TestLLHTTPConformance(t *testing.T) { parsertest.Conformance(t, "testdata", ch02.ReadRequest) }

// TestDifferentialNetHTTP compares ch02.ReadRequest with net/http's
// http.ReadRequest.
func TestDifferentialNetHTTP(t *testing.T) { parsertest.Differential(t, "testdata", ch02.ReadRequest) }
