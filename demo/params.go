package demo

import (
	"net/http"
	"net/url"
	"strconv"
)

// parseCount parses s as a decimal count in 0..limit. It takes ASCII digits
// only: no sign, no spaces, no "0x", so "+5", " 5" and "5ms" are all bad
// values rather than something strconv happens to accept.
func parseCount(s string, limit int) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > limit { // checked every digit, so n never overflows
			return 0, false
		}
	}
	return n, true
}

// queryCount reads the count parameter name from q. A missing parameter
// yields def (found is false); a present one must parse with parseCount,
// even when empty ("?n=" is a bad value, not the default).
func queryCount(q url.Values, name string, def, limit int) (n int, found, ok bool) {
	vs, found := q[name]
	if !found {
		return def, false, true
	}
	n, ok = parseCount(vs[0], limit)
	return n, true, ok
}

// badParam answers 400 naming the parameter and its valid range.
func badParam(w http.ResponseWriter, name string, limit int) {
	writeText(w, http.StatusBadRequest,
		"400 bad request: "+name+" must be an integer in 0.."+strconv.Itoa(limit)+"\n")
}
