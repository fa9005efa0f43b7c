package demo

import (
	"net/http"
	"strconv"
)

// serveStatus answers GET /status/{code} with that status and its reason
// phrase as the body, so a client can make the server send any status line.
// code must be three digits from 100 to 999, the range net/http accepts
// (RFC 9110 section 15 defines classes 1xx to 5xx only; 600..999 pass
// through as unknown codes). Anything else is 400.
func serveStatus(w http.ResponseWriter, r *http.Request, code string) {
	if !allowGet(w, r) {
		return
	}
	status, ok := parseStatus(code)
	if !ok {
		writeText(w, http.StatusBadRequest, "400 bad request: status code must be 100..999\n")
		return
	}
	switch {
	case status < 200, status == http.StatusNoContent, status == http.StatusNotModified:
		// 1xx, 204 and 304 never carry content (RFC 9112 section 6.3, rule
		// 1): the header section is the whole response, so write neither
		// a body nor a length. On net/http a 1xx other than 101 goes out
		// as an interim response and the server then sends its own final
		// 200 with an empty body once the handler returns.
		w.WriteHeader(status)
	case status == http.StatusResetContent:
		// 205 may have framing but "a server MUST NOT generate content"
		// (RFC 9110 section 15.3.6): say so with Content-Length: 0.
		w.Header()["Content-Length"] = zeroLength
		w.WriteHeader(status)
	default:
		writeText(w, status, reasonPhrase(status))
	}
}

// parseStatus parses a three-digit status code from 100 to 999.
func parseStatus(s string) (int, bool) {
	if len(s) != 3 || s[0] == '0' {
		return 0, false
	}
	return parseCount(s, 999)
}

// reasonPhrase is http.StatusText, or, for a code net/http has no name
// for, the same "status code N" net/http puts in such a status line.
func reasonPhrase(code int) string {
	if text := http.StatusText(code); text != "" {
		return text
	}
	return "status code " + strconv.Itoa(code)
}
