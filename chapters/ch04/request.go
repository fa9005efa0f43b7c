package ch04

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// inlineFields is how many header values fit in requestParts without an
// allocation of their own: most requests carry fewer fields than this.
const inlineFields = 8 // fields

// requestParts is what NewRequest allocates for a request: the
// http.Request, its URL, its Body and the header values' backing array,
// in one allocation instead of four.
type requestParts struct {
	req  http.Request
	url  url.URL
	body body
	vals [inlineFields]string
}

// NewRequest builds the *http.Request a handler sees from chapter 2's
// parse of a request: what net/http's server would hand the same handler
// for the same bytes.
//
//   - URL is the request-target parsed as url.ParseRequestURI does
//     (origin-form "/p?q", absolute-form "http://h/p", asterisk-form "*"),
//     or, for CONNECT's authority-form "host:port", a URL with only Host
//     set. RequestURI is the target exactly as received.
//   - Header has one entry per field name, in canonical form
//     ("content-type" becomes "Content-Type"), the values in the order
//     received. Host and Transfer-Encoding are moved out of it, as
//     net/http does: to r.Host and r.TransferEncoding.
//   - Host is the absolute-form target's authority if there is one (RFC
//     9112 section 3.2.2: it overrides the Host field), else the Host
//     field's value.
//   - ContentLength is the body's length, -1 for a chunked body.
//   - Close reports whether the client asked to close the connection after
//     this request: "Connection: close", or an HTTP/1.0 request without
//     "Connection: keep-alive" (RFC 9112 section 9.3).
//   - Body streams pr.Body: nothing is read ahead. It is http.NoBody when
//     the request has no content. A read error is chapter 2's
//     *ch02.StatusError unchanged (errors.As finds it, ch02.StatusCode
//     gives its status), so a handler can answer 400 for broken chunked
//     framing; a body over the parser's limit also matches
//     *http.MaxBytesError (Limit is 0 here: NewRequest does not know the
//     parser's limits; Conn.NewRequest does). Once the body has returned
//     io.EOF, r.Trailer holds the trailer fields of a chunked body.
//   - Its context is ctx.
//
// NewRequest reads only pr's strings and keeps pr.Body; pr itself may be
// reused afterwards (chapter 2's Reader reuses it for the next request).
// It returns an error wrapping ErrBadTarget when the target is not a URL.
func NewRequest(ctx context.Context, pr *ch02.Request, remoteAddr string) (*http.Request, error) {
	return newRequest(ctx, pr, remoteAddr, new(requestParts), nil)
}

// newRequest is NewRequest with its parts supplied by the caller, so a
// Conn allocates them together with the Response. rc, when not nil, is
// told when the body has been read to its end.
func newRequest(ctx context.Context, pr *ch02.Request, remoteAddr string, p *requestParts, rc RequestContext) (*http.Request, error) {
	if err := parseTarget(&p.url, pr.Method, pr.Target); err != nil {
		return nil, err
	}
	hdr := newHeader(pr.Header, p.vals[:])
	tmp := http.Request{
		Method:        pr.Method,
		URL:           &p.url,
		Proto:         pr.Proto,
		ProtoMajor:    pr.ProtoMajor,
		ProtoMinor:    pr.ProtoMinor,
		Header:        hdr,
		ContentLength: pr.ContentLength,
		Host:          p.url.Host,
		RemoteAddr:    remoteAddr,
		RequestURI:    pr.Target,
		Body:          http.NoBody,
	}
	if tmp.Host == "" {
		tmp.Host = pr.Get("Host")
	}
	tmp.Close = shouldClose(pr.ProtoMinor, hdr["Connection"])
	if pr.Chunked {
		tmp.ContentLength = -1
		tmp.TransferEncoding = []string{"chunked"}
		tmp.Trailer = announcedTrailer(hdr)
	}
	// The only way to give an http.Request its context from outside
	// net/http is WithContext, which copies the request into a new one.
	// WithContext is small enough to be inlined, so the compiler sees that
	// its copy goes no further than the next line: the copy is made on the
	// stack and lands in p, and tmp and the copy cost no allocation.
	p.req = *tmp.WithContext(ctx)
	r := &p.req
	hasBody := pr.Chunked || pr.ContentLength > 0
	if hasBody {
		p.body = body{src: pr.Body, pr: pr, req: r, rc: rc, remaining: tmp.ContentLength}
		r.Body = &p.body
	}
	if rc != nil && !hasBody {
		rc.BodyDone() // no body to wait for: the watch may start at once
	}
	return r, nil
}

// newHeader converts the parsed fields to an http.Header, one value for a
// repeated Content-Length (the first), as net/http gives. All the values
// share one backing array, each slice capped at its one value so that an
// append (a repeated field, or a handler's Add) copies instead of
// overwriting its neighbour, as net/textproto does. The array is scratch
// when the fields fit in it (the caller's, allocated with the request),
// else a new one: the map is then the only other allocation.
//
// http.CanonicalHeaderKey allocates nothing for a name that is already
// canonical or is one of the common ones it interns ("content-type" comes
// back as the constant "Content-Type"); only rare names in an unusual case
// cost a string.
func newHeader(fields []ch02.Field, scratch []string) http.Header {
	h := make(http.Header, len(fields))
	vals := scratch
	if len(fields) > len(scratch) {
		vals = make([]string, len(fields))
	}
	for i, f := range fields {
		k := http.CanonicalHeaderKey(f.Name)
		switch k {
		case "Host", "Transfer-Encoding":
			continue // in r.Host and r.TransferEncoding, as net/http does
		}
		if old, ok := h[k]; ok {
			if k == "Content-Length" {
				// Chapter 2 let it through only if every copy says the
				// same length; RFC 9110 section 8.6 then asks for one.
				continue
			}
			h[k] = append(old, f.Value)
			continue
		}
		vals[i] = f.Value
		h[k] = vals[i : i+1 : i+1]
	}
	// RFC 9111 section 5.4: "Pragma: no-cache" without Cache-Control means
	// "Cache-Control: no-cache". net/http adds it for handlers; so do we.
	if p, ok := h["Pragma"]; ok && len(p) > 0 && p[0] == "no-cache" {
		if _, ok := h["Cache-Control"]; !ok {
			h["Cache-Control"] = []string{"no-cache"}
		}
	}
	return h
}

// announcedTrailer moves a chunked request's Trailer field out of h and
// returns the names it announces (RFC 9110 section 6.6.2) as the keys of
// the request's Trailer map, with nil values until the trailer section
// arrives; nil when none were announced. As in net/http, names that would
// change the message's framing are not taken.
func announcedTrailer(h http.Header) http.Header {
	lists, ok := h["Trailer"]
	if !ok {
		return nil
	}
	delete(h, "Trailer")
	var t http.Header
	for _, list := range lists {
		for name := range ch02.ListElements(list) {
			name = http.CanonicalHeaderKey(name)
			switch name {
			case "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if t == nil {
				t = make(http.Header)
			}
			t[name] = nil
		}
	}
	return t
}

// shouldClose reports whether the client asked for the connection to be
// closed after this request (RFC 9112 section 9.3): HTTP/1.1 keeps it open
// unless "close" is listed in Connection; HTTP/1.0 closes it unless
// "keep-alive" is.
func shouldClose(minor int, connection []string) bool {
	if HasToken(connection, "close") {
		return true
	}
	return minor == 0 && !HasToken(connection, "keep-alive")
}

// HasToken reports whether any of values, each a comma-separated list
// (RFC 9110 section 5.6.1), holds token, compared without regard to ASCII
// case. HasToken(r.Header["Connection"], "close") is how a server reads
// "Connection: keep-alive, close".
func HasToken(values []string, token string) bool {
	for _, v := range values {
		for elem := range ch02.ListElements(v) {
			if strings.EqualFold(elem, token) {
				return true
			}
		}
	}
	return false
}
