package ch02

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"reflect"
	"testing"
)

// fuzzSeeds are starting points for both fuzz targets' mutations; more
// live in testdata/fuzz/FuzzReadRequest.
var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"\r\nGET /a?b HTTP/1.0\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: \r\n\r\n",
	"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	"GET http://h/p HTTP/1.2\r\nHost: h\r\nA: \t b \xff\r\nA: c\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\"\r\nhello\r\n0\r\nT: v\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
	"GET / HTTP/2.0\r\n\r\n",
}

// FuzzReadRequest checks that no input makes the parser panic or answer
// with a status it does not document, and that an accepted request,
// written out again by Request.Write, parses to the same request.
func FuzzReadRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	// And every request of the llhttp conformance suite (testdata/conformance).
	for _, rec := range loadRecords(f) {
		raw, err := base64.StdEncoding.DecodeString(rec.RawB64)
		if err != nil {
			f.Fatalf("%s: %v", rec.ID, err)
		}
		f.Add(raw)
	}
	lim := &Limits{MaxRequestLine: 256, MaxHeaderBytes: 1024, MaxHeaderFields: 16, MaxBodyBytes: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, body, err := parseAll(data, lim)
		if err != nil {
			switch code := StatusCode(err); code {
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
		if err := req.Write(&wire); err != nil {
			t.Fatalf("readRequest(%q).Write = %v", data, err)
		}
		req2, body2, err := parseAll(wire.Bytes(), lim)
		if err != nil {
			t.Fatalf("readRequest(%q) accepted, but its Write output %q = %v", data, wire.Bytes(), err)
		}
		if !sameRequest(req, body, req2, body2) {
			t.Fatalf("readRequest(%q) = %+v %q,\nbut its Write output %q = %+v %q", data, req, body, wire.Bytes(), req2, body2)
		}
	})
}

// parseAll parses one request from data and reads its body.
func parseAll(data []byte, lim *Limits) (*Request, []byte, error) {
	req, err := ReadRequest(bufio.NewReader(bytes.NewReader(data)), lim)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, nil, err
	}
	return req, body, nil
}

// sameRequest reports whether two parsed requests say the same.
func sameRequest(a *Request, abody []byte, b *Request, bbody []byte) bool {
	return a.Method == b.Method && a.Target == b.Target && a.Proto == b.Proto &&
		a.ProtoMajor == b.ProtoMajor && a.ProtoMinor == b.ProtoMinor &&
		a.ContentLength == b.ContentLength && a.Chunked == b.Chunked &&
		reflect.DeepEqual(a.Header, b.Header) && reflect.DeepEqual(a.Trailer, b.Trailer) &&
		bytes.Equal(abody, bbody)
}

// FuzzChunked feeds arbitrary bytes to the chunked decoder alone. It must
// not panic, must not read past the end of the chunked body, and what it
// accepts, encoded again, must decode to the same data and trailer.
func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"0\r\n\r\n",
		"5\r\nhello\r\n0\r\n\r\n",
		"a;x=1;y=\"q\\\"\"\r\n0123456789\r\n0\r\nA: b\r\n\r\nNEXT",
		"5 ; a = b\r\nhello\r\n000\r\n\r\n",
		"7fffffffffffffff\r\n",
		"10000000000000005\r\nhello\r\n0\r\n\r\n",
		"5\r\nhelloX\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		decoded, trailer, err := decodeChunked(br)
		if err != nil {
			if code := StatusCode(err); code != 400 && code != 413 && code != 431 {
				t.Fatalf("decodeChunked(%q) = %v with status %d", data, err, code)
			}
			return
		}
		rest, _ := io.ReadAll(br)
		consumed := data[:len(data)-len(rest)]
		if !bytes.HasSuffix(consumed, []byte("\r\n")) {
			t.Fatalf("decodeChunked(%q) stopped after %q, not at a CRLF", data, consumed)
		}
		var wire bytes.Buffer
		if err := writeChunked(&wire, bytes.NewReader(decoded), func() []Field { return trailer }); err != nil {
			t.Fatal(err)
		}
		decoded2, trailer2, err := decodeChunked(bufio.NewReader(&wire))
		if err != nil || !bytes.Equal(decoded, decoded2) || !reflect.DeepEqual(trailer, trailer2) {
			t.Fatalf("decodeChunked(%q) = %q %v, but its re-encoding %q = %q %v %v",
				data, decoded, trailer, wire.Bytes(), decoded2, trailer2, err)
		}
	})
}

// decodeChunked decodes one chunked body from br: at most 1 MiB of data,
// and the default trailer limits.
func decodeChunked(br *bufio.Reader) ([]byte, []Field, error) {
	var cr chunkedReader
	cr.reset(br, 1<<20, DefaultMaxHeaderBytes, DefaultMaxHeaderFields)
	data, err := io.ReadAll(&cr)
	return data, cr.trailer, err
}
