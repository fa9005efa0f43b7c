package ch02_test

import (
	"bufio"
	"bytes"
	"io"
	"reflect"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/internal/parsertest"
)

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
			if code := ch02.StatusCode(err); code != 400 && code != 413 && code != 431 {
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
		if err := parsertest.WriteChunked(&wire, bytes.NewReader(decoded), trailer); err != nil {
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
func decodeChunked(br *bufio.Reader) ([]byte, []ch02.Field, error) {
	var req ch02.Request
	data, err := io.ReadAll(ch02.NewChunkedReader(br, &req, &ch02.Limits{MaxBodyBytes: 1 << 20}))
	return data, req.Trailer, err
}
