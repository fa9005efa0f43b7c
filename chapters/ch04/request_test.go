package ch04

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// parse reads one request from raw with chapter 2's parser.
func parse(t *testing.T, raw string, lim *ch02.Limits) *ch02.Request {
	t.Helper()
	pr, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(raw)), lim)
	if err != nil {
		t.Fatalf("ch02.ReadRequest(%q) = %v", raw, err)
	}
	return pr
}

// TestNewRequestMatchesNetHTTP builds each request with NewRequest and
// with net/http's own parser (http.ReadRequest, which its server uses),
// and wants the handler to see the same thing: the point of the bridge is
// that a handler cannot tell the servers apart.
func TestNewRequestMatchesNetHTTP(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"simple GET", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
		{"path and query", "GET /items/42?sort=desc&x=%20y HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n"},
		{"escaped path", "GET /a%2Fb/c%20d HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"path needing RawPath", "GET /a!b*c(d) HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"empty query", "GET /p? HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"double slash path", "GET //evil.com/x HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"absolute-form overrides Host", "GET http://other.example:8080/x?y HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
		{"lower-case names canonicalised", "GET / HTTP/1.1\r\nhost: a\r\ncontent-type: text/plain\r\nx-custom-thing: 1\r\naccept-encoding: gzip\r\n\r\n"},
		{"repeated field keeps order", "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\nX-A: 1\r\naccept: b\r\nAccept: c\r\n\r\n"},
		{"empty value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty: \r\n\r\n"},
		// RFC 9110 section 8.6: a recipient that accepts repeated identical
		// Content-Length fields replaces them with one.
		{"repeated Content-Length made one", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-A: 1\r\ncontent-length: 3\r\n\r\nabc"},
		{"Connection close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n"},
		{"HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n"},
		{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"},
		{"Pragma no-cache", "GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n"},
		{"Content-Length body", "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"},
		{"zero Content-Length", "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"},
		{"chunked body", "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
		{"chunked with trailer", "POST /up HTTP/1.1\r\nHost: a\r\nTrailer: X-Sum, x-other\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\nx-other: 7\r\n\r\n"},
		{"Trailer without chunked stays a field", "POST /up HTTP/1.1\r\nHost: a\r\nTrailer: X-Sum\r\nContent-Length: 1\r\n\r\nz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tt.raw)))
			if err != nil {
				t.Fatalf("http.ReadRequest(%q) = %v", tt.raw, err)
			}
			got, err := NewRequest(context.Background(), parse(t, tt.raw, nil), "192.0.2.1:1234")
			if err != nil {
				t.Fatalf("NewRequest(%q) = %v", tt.raw, err)
			}
			gotBody, gotErr := io.ReadAll(got.Body)
			wantBody, wantErr := io.ReadAll(want.Body)
			if string(gotBody) != string(wantBody) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("NewRequest(%q).Body = %q, %v; net/http: %q, %v", tt.raw, gotBody, gotErr, wantBody, wantErr)
			}
			// Compare only after the body is read: trailers arrive at its end.
			compare := []struct {
				field     string
				got, want any
			}{
				{"Method", got.Method, want.Method},
				{"URL", got.URL, want.URL},
				{"RequestURI", got.RequestURI, want.RequestURI},
				{"Proto", got.Proto, want.Proto},
				{"ProtoMajor", got.ProtoMajor, want.ProtoMajor},
				{"ProtoMinor", got.ProtoMinor, want.ProtoMinor},
				{"Header", got.Header, want.Header},
				{"Host", got.Host, want.Host},
				{"ContentLength", got.ContentLength, want.ContentLength},
				{"TransferEncoding", got.TransferEncoding, want.TransferEncoding},
				{"Close", got.Close, want.Close},
				{"Trailer", got.Trailer, want.Trailer},
			}
			for _, c := range compare {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("NewRequest(%q).%s = %#v, net/http has %#v", tt.raw, c.field, c.got, c.want)
				}
			}
			if got.RemoteAddr != "192.0.2.1:1234" {
				t.Errorf("NewRequest(%q).RemoteAddr = %q, want 192.0.2.1:1234", tt.raw, got.RemoteAddr)
			}
			if got.Context() != context.Background() {
				t.Errorf("NewRequest(%q).Context() = %v, want the context given", tt.raw, got.Context())
			}
			if want.ContentLength == 0 && got.Body != http.NoBody {
				t.Errorf("NewRequest(%q).Body = %T, want http.NoBody for a request without content", tt.raw, got.Body)
			}
		})
	}
}

// TestNewRequestBodyErrors checks that a handler reading a broken body
// gets chapter 2's status error, and an oversized one also the
// *http.MaxBytesError net/http's own limit produces, so that handlers
// written for net/http (the demo's /echo and /upload) answer 400 and 413.
func TestNewRequestBodyErrors(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		maxBody   int64
		wantCode  int
		wantLimit bool
	}{
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 400, false},
		{"chunk without CRLF after its data", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", 0, 400, false},
		{"truncated body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nshort", 0, 400, false},
		{"chunks over the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 8, 413, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := &ch02.Limits{MaxBodyBytes: tt.maxBody}
			r, err := NewRequest(context.Background(), parse(t, tt.raw, lim), "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(r.Body)
			if code := ch02.StatusCode(err); code != tt.wantCode {
				t.Errorf("reading the body of %q = %v (status %d), want status %d", tt.raw, err, code, tt.wantCode)
			}
			var se *ch02.StatusError
			if !errors.As(err, &se) {
				t.Errorf("reading the body of %q = %v, want a *ch02.StatusError in the chain", tt.raw, err)
			}
			var mbe *http.MaxBytesError
			if got := errors.As(err, &mbe); got != tt.wantLimit {
				t.Errorf("reading the body of %q = %v: errors.As(*http.MaxBytesError) = %v, want %v", tt.raw, err, got, tt.wantLimit)
			}
			r.Body.Close()
			if _, err := r.Body.Read(make([]byte, 1)); err != http.ErrBodyReadAfterClose {
				t.Errorf("Read after Close = %v, want http.ErrBodyReadAfterClose", err)
			}
		})
	}
}

func TestNewRequestBadTarget(t *testing.T) {
	// ch02 lets a target through that net/url refuses: a bad escape.
	raw := "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"
	_, err := NewRequest(context.Background(), parse(t, raw, nil), "")
	if !errors.Is(err, ErrBadTarget) || ch02.StatusCode(err) != http.StatusBadRequest {
		t.Errorf("NewRequest(%q) = %v, want ErrBadTarget (status 400)", raw, err)
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		token  string
		want   bool
	}{
		{"alone", []string{"close"}, "close", true},
		{"case-insensitive", []string{"Close"}, "close", true},
		{"in a list with OWS", []string{"keep-alive ,\tclose "}, "close", true},
		{"in a second field", []string{"upgrade", "close"}, "close", true},
		{"prefix is not the token", []string{"closed"}, "close", false},
		{"empty elements", []string{" , ,"}, "close", false},
		{"none", nil, "close", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasToken(tt.values, tt.token); got != tt.want {
				t.Errorf("HasToken(%q, %q) = %v, want %v", tt.values, tt.token, got, tt.want)
			}
		})
	}
}

// FuzzParseTarget checks that parseTarget's fast path for origin-form
// targets gives exactly what url.ParseRequestURI gives, for any target
// chapter 2 would let through.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"/", "/a/b?c=d", "/p?", "/p??", "/a%20b", "/a!b", "//x", "/?#", "/{x}", "/a;b=c,d@e:f$g&h+i"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if target == "" || target[0] != '/' {
			return
		}
		for i := 0; i < len(target); i++ {
			if c := target[i]; c <= ' ' || c >= 0x7f || c == '#' {
				return // chapter 2 refuses these
			}
		}
		var got url.URL
		err := parseTarget(&got, http.MethodGet, target)
		want, wantErr := url.ParseRequestURI(target)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("parseTarget(%q) = %v, url.ParseRequestURI = %v", target, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(&got, want) {
			t.Fatalf("parseTarget(%q) = %#v, url.ParseRequestURI = %#v", target, got, *want)
		}
	})
}

// TestNewRequestAllocs pins the cost of building a request: the
// http.Request; its URL, body and header values in one piece; and the
// header map, which is two allocations (its header and one group of 8
// slots).
func TestNewRequestAllocs(t *testing.T) {
	raw := "GET /items/42?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"
	pr := parse(t, raw, nil)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := NewRequest(ctx, pr, "192.0.2.1:1"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 4 {
		t.Errorf("NewRequest allocates %v times per request, want at most 4", allocs)
	}
}

// FuzzNewRequest feeds the same bytes to chapter 2 plus NewRequest and to
// net/http's parser, and wants a handler to see the same request whenever
// both accept it. (Chapter 2 is stricter; requests only net/http accepts
// are not compared.)
func FuzzNewRequest(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /x?y=1 HTTP/1.0\r\nconnection: keep-alive\r\n\r\n",
		"POST http://h:1/p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: T\r\n\r\n1\r\nz\r\n0\r\nT: v\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		pr, err := ch02.ReadRequest(bufio.NewReader(strings.NewReader(raw)), nil)
		if err != nil {
			return
		}
		want, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		got, err := NewRequest(context.Background(), pr, "")
		if err != nil {
			return // net/url refused the target: 400, where net/http's parse may differ
		}
		gotBody, gotErr := io.ReadAll(got.Body)
		wantBody, wantErr := io.ReadAll(want.Body)
		if gotErr != nil || wantErr != nil {
			return // a body one of them rejects: framing checks differ
		}
		if string(gotBody) != string(wantBody) {
			t.Fatalf("body of %q = %q, net/http %q", raw, gotBody, wantBody)
		}
		for _, c := range []struct {
			field     string
			got, want any
		}{
			{"Method", got.Method, want.Method},
			{"URL", got.URL, want.URL},
			{"RequestURI", got.RequestURI, want.RequestURI},
			{"Header", got.Header, want.Header},
			{"Host", got.Host, want.Host},
			{"ContentLength", got.ContentLength, want.ContentLength},
			{"Close", got.Close, want.Close},
			{"Trailer", got.Trailer, want.Trailer},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Fatalf("NewRequest(%q).%s = %#v, net/http has %#v", raw, c.field, c.got, c.want)
			}
		}
	})
}
