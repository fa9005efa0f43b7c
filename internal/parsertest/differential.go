package parsertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// differentialCorpus is raw requests on which this parser and net/http's
// http.ReadRequest (followed by reading the body) are compared. Where they
// disagree about accepting, the case must be listed, with the RFC reason,
// in chapters/ch02/testdata/differential-differences.json.
var differentialCorpus = []struct{ name, in string }{
	// Accepted by both.
	{"simple GET", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"query", "GET /a/b?c=d&e HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"},
	{"absolute-form", "GET http://example.com/a HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"CONNECT authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{"OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"unknown method", "PURGE /a HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"OWS around value", "GET / HTTP/1.1\r\nHost: x\r\nA: \t b \t\r\n\r\n"},
	{"empty value", "GET / HTTP/1.1\r\nHost: x\r\nA:\r\n\r\n"},
	{"obs-text in value", "GET / HTTP/1.1\r\nHost: x\r\nA: caf\xe9\r\n\r\n"},
	{"Content-Length body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"},
	{"Content-Length leading zeros", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\nhello"},
	{"Content-Length duplicates agree", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
	{"chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
	{"chunked uppercase", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
	{"chunk extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\n"},
	{"trailer", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n"},

	// ch02.Request-line.
	{"leading CRLF", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"two leading CRLFs", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"no version", "GET /\r\n\r\n"},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n"},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n"},
	{"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n"},
	{"HTTP/1.10", "GET / HTTP/1.10\r\nHost: x\r\n\r\n"},
	{"lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n"},
	{"method not a token", "GE@T / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"tab separator", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"control byte in target", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"DEL in target", "GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"non-ASCII in target", "GET /\xce\xb4 HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"fragment", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"asterisk with GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"authority-form with GET", "GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"CONNECT origin-form", "CONNECT /a HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"absolute-form userinfo", "GET http://u:p@example.com/ HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"absolute-form empty host", "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"bare LF after request-line", "GET / HTTP/1.1\nHost: x\r\n\r\n"},
	{"bare LF everywhere", "GET / HTTP/1.1\nHost: x\n\n"},
	{"bare CR in request-line", "GET / HTTP/1.1\rHost: x\r\n\r\n"},

	// Fields.
	{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nA : b\r\n\r\n"},
	{"no colon", "GET / HTTP/1.1\r\nHost: x\r\nA b\r\n\r\n"},
	{"empty name", "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n"},
	{"name not a token", "GET / HTTP/1.1\r\nHost: x\r\nA@: b\r\n\r\n"},
	{"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nA: a\x00b\r\n\r\n"},
	{"control byte in value", "GET / HTTP/1.1\r\nHost: x\r\nA: a\x0cb\r\n\r\n"},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: x\r\nA: a\x7fb\r\n\r\n"},
	{"bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nA: a\rb\r\n\r\n"},
	{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"},
	{"whitespace after request-line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n"},
	{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: b\r\n", 100) + "\r\n"},

	// Host.
	{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"},
	{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
	{"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n"},
	{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},
	{"Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"},
	{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"},

	// Framing.
	{"Content-Length disagree", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
	{"Content-Length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello"},
	{"Content-Length plus", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"},
	{"Content-Length negative", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"},
	{"Content-Length empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n"},
	{"Content-Length overflow", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"},
	{"Content-Length truncated body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel"},
	{"TE and CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"},
	{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"TE identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"},
	{"TE gzip, chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{"TE chunked, gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"},
	{"TE chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"TE empty", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n"},

	// Chunked.
	{"chunk size with space", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"},
	{"chunk BWS before extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n"},
	{"chunk empty extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n"},
	{"chunk size overflow", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n"},
	{"chunk data too long", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"},
	{"chunk bare LF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n"},
	{"chunk missing last chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n\r\n"},
	{"trailer obs-fold", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n"},
	{"trailer bad name", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA b: c\r\n\r\n"},
	{"trailer Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"},
}

// difference is one listed disagreement with net/http.
type difference struct {
	Case    string `json:"case"`
	Ours    string `json:"ours"`    // "accept" or "reject"
	NetHTTP string `json:"nethttp"` // the opposite
	Reason  string `json:"reason"`  // why, with the RFC section
}

func verdict(err error) string {
	if err != nil {
		return "reject"
	}
	return "accept"
}

// Differential compares read's accept/reject with net/http on every
// corpus case. It fails on a difference not listed in
// dir/differential-differences.json, and on a listed one that no
// longer occurs; where both accept, the parses must agree.
func Differential(t *testing.T, dir string, read ReadFunc) {
	data, err := os.ReadFile(filepath.Join(dir, "differential-differences.json"))
	if err != nil {
		t.Fatal(err)
	}
	var diffs []difference
	if err := json.Unmarshal(data, &diffs); err != nil {
		t.Fatalf("testdata/differential-differences.json: %v", err)
	}
	listed := make(map[string]difference)
	for _, d := range diffs {
		if d.Reason == "" {
			t.Errorf("listed difference %q has no reason", d.Case)
		}
		listed[d.Case] = d
	}
	seen := make(map[string]bool)
	for _, tc := range differentialCorpus {
		t.Run(tc.name, func(t *testing.T) {
			if seen[tc.name] {
				t.Fatalf("corpus case %q appears twice", tc.name)
			}
			seen[tc.name] = true
			req, body, err := ParseAll(read, []byte(tc.in), nil)
			hreq, hbody, herr := netHTTPParse(tc.in)
			ours, theirs := verdict(err), verdict(herr)
			d, isListed := listed[tc.name]
			switch {
			case ours != theirs && !isListed:
				t.Errorf("readRequest(%q) = %v (%s), net/http = %v (%s): unlisted difference", tc.in, err, ours, herr, theirs)
			case ours == theirs && isListed:
				t.Errorf("readRequest(%q) = %v, net/http = %v: both %s, but the difference is listed (stale)", tc.in, err, herr, ours)
			case isListed && (d.Ours != ours || d.NetHTTP != theirs):
				t.Errorf("readRequest(%q): ours %s, net/http %s; listed as ours %s, net/http %s", tc.in, ours, theirs, d.Ours, d.NetHTTP)
			}
			if err == nil && herr == nil {
				if req.Method != hreq.Method || req.Target != hreq.RequestURI || req.Proto != hreq.Proto || string(body) != hbody {
					t.Errorf("readRequest(%q) = %s %s %s %q, net/http = %s %s %s %q", tc.in,
						req.Method, req.Target, req.Proto, body, hreq.Method, hreq.RequestURI, hreq.Proto, hbody)
				}
			}
		})
	}
	for name := range listed {
		if !seen[name] {
			t.Errorf("listed difference %q names no corpus case", name)
		}
	}
}

// netHTTPParse is net/http's parse of in, body included.
func netHTTPParse(in string) (*http.Request, string, error) {
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(in)))
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(req.Body)
	return req, string(body), err
}

// ParseAll parses one request from data with read and reads its body.
func ParseAll(read ReadFunc, data []byte, lim *ch02.Limits) (*ch02.Request, []byte, error) {
	req, err := read(bufio.NewReader(bytes.NewReader(data)), lim)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, nil, err
	}
	return req, body, nil
}
