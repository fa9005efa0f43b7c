package ch05

import (
	"net/http"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// expectation is what a request's Expect field asks of the server.
type expectation uint8

const (
	expectNothing  expectation = iota // no Expect field, or one to ignore
	expectContinue                    // "100-continue": answer 100 before reading the body
	expectUnknown                     // anything else: 417
)

// continueLine is the whole interim response that tells a client waiting
// with "Expect: 100-continue" to send its body (RFC 9110 section 15.2.1).
// It carries no fields: the handler's header map belongs to the final
// response.
const continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

// expectationOf reads pr's Expect fields (RFC 9110 section 10.1.1). The
// only expectation HTTP defines is "100-continue", compared without
// regard to case; any other is unknown, and so is a list that holds
// anything else. "100-continue" on a request with no content has nothing
// to wait for, and one from an HTTP/1.0 client MUST be ignored (HTTP/1.0
// has no 1xx responses): both are expectNothing.
func expectationOf(pr *ch02.Request) expectation {
	e := expectNothing
	for _, f := range pr.Header {
		if !strings.EqualFold(f.Name, "Expect") {
			continue
		}
		for elem := range ch02.ListElements(f.Value) {
			switch {
			case strings.EqualFold(elem, "100-continue"):
				e = max(e, expectContinue)
			default:
				return expectUnknown
			}
		}
	}
	if e == expectContinue && (pr.ProtoMinor == 0 || !hasContent(pr)) {
		return expectNothing
	}
	return e
}

// hasContent reports whether pr has a body to read.
func hasContent(pr *ch02.Request) bool { return pr.Chunked || pr.ContentLength > 0 }

// expectationFailed answers a request whose Expect field asks for
// something this server does not do: 417 (RFC 9110 section 15.5.18), and
// the connection closes, since the client may be holding its body back
// until it hears from us, and nobody knows where its next request starts.
type expectationFailed struct{}

func (expectationFailed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusExpectationFailed)
	w.Write([]byte("417 expectation failed: only 100-continue is supported\n"))
}
