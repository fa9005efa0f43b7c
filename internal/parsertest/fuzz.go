package parsertest

import (
	"bytes"
	"reflect"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// FuzzSeeds are starting points for the fuzz targets' mutations; more
// live in chapters/ch02/testdata/fuzz.
var FuzzSeeds = []string{
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

// SameRequest reports whether two parsed requests say the same: every
// field, an empty Header or Trailer being the same as none, and the body.
func SameRequest(a *ch02.Request, abody []byte, b *ch02.Request, bbody []byte) bool {
	return a.Method == b.Method && a.Target == b.Target && a.Proto == b.Proto &&
		a.ProtoMajor == b.ProtoMajor && a.ProtoMinor == b.ProtoMinor &&
		a.ContentLength == b.ContentLength && a.Chunked == b.Chunked &&
		sameFields(a.Header, b.Header) && sameFields(a.Trailer, b.Trailer) &&
		bytes.Equal(abody, bbody)
}

func sameFields(a, b []ch02.Field) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}
