package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// MaxEchoBodyBytes bounds the body /echo reads: it holds the whole body in
// memory to send it back, so a larger one gets 413 instead of growing the
// process without limit. /upload, which streams, has no such limit.
const MaxEchoBodyBytes = 1 << 20 // 1 MiB

// echoReply is the JSON /echo answers with. The fields are in the order
// they are written; encoding/json writes the header map's keys sorted.
type echoReply struct {
	Method  string              `json:"method"`
	URI     string              `json:"uri"`
	Proto   string              `json:"proto"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// serveEcho answers any method with the request as the handler sees it:
// after the server's parse, so a chunked body arrives decoded and the
// header names canonical. That makes it the route to check a server's
// request parsing through the handler bridge.
func serveEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, requestBody(r), MaxEchoBodyBytes))
	if err != nil {
		writeBodyError(w, err)
		return
	}
	headers := r.Header
	if headers == nil {
		headers = http.Header{} // "headers":{} rather than null
	}
	writeJSON(w, echoReply{
		Method:  r.Method,
		URI:     r.RequestURI,
		Proto:   r.Proto,
		Host:    r.Host,
		Headers: headers,
		// encoding/json writes invalid UTF-8 as U+FFFD: a binary body comes
		// back altered. /upload is the route for binary bodies.
		Body: string(body),
	})
}

// writeJSON answers 200 with v as compact JSON and a final newline. It
// encodes into a buffer first so the reply carries a Content-Length and an
// encoding error can still become a 500.
func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // an echoed "<b>" stays "<b>", not "\u003cb\u003e"
	if err := enc.Encode(v); err != nil {
		writeText(w, http.StatusInternalServerError, "500 internal server error\n")
		return
	}
	h := w.Header()
	h["Content-Type"] = applicationJSON
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
