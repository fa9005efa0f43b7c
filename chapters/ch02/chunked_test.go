package ch02

import (
	"bufio"
	"bytes"
	"io"
	"reflect"
	"testing"
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
	var req Request
	data, err := io.ReadAll(NewChunkedReader(br, &req, &Limits{MaxBodyBytes: 1 << 20}))
	return data, req.Trailer, err
}
