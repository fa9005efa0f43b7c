package ch02

import (
	"net/http"
	"strings"
)

// ParseRequestLine parses line, a request-line without its CRLF:
//
//	request-line = method SP request-target SP HTTP-version
//
// (RFC 9112 section 3), into req's Method, Target, Proto, ProtoMajor and
// ProtoMinor. Exactly one SP separates the parts: RFC 9112 section 3
// lets a recipient split on any whitespace, but a parser that accepts
// more than the grammar is one that disagrees with the next hop about
// where the target ends.
//
// The version is checked first, so a request of another major version is
// answered 505 whatever else is wrong with it (it may follow rules we do
// not know).
func ParseRequestLine(req *Request, line string) error {
	err := splitRequestLine(req, line)
	if err != nil && strings.IndexByte(line, '\r') >= 0 {
		// A bare CR is the likelier mistake, and the one RFC 9112
		// section 2.2 names: report it rather than its consequence.
		return badRequest(ErrLineEnding, "bare CR in request-line")
	}
	return err
}

// splitRequestLine does ParseRequestLine's work.
func splitRequestLine(req *Request, line string) error {
	sp1 := strings.IndexByte(line, ' ')
	sp2 := strings.LastIndexByte(line, ' ')
	if sp1 < 0 || sp1 == sp2 {
		// No SP at all, or only one: "GET /" is an HTTP/0.9 request,
		// which has no version and no place in HTTP/1.1 (RFC 9112
		// section 2.3).
		return badRequest(ErrRequestLine, "want method SP target SP version")
	}
	method, target, version := line[:sp1], line[sp1+1:sp2], line[sp2+1:]
	minor, err := parseVersion(version)
	if err != nil {
		return err
	}
	if !ValidToken(method) {
		return badRequest(ErrMethod, quote(method))
	}
	if err := checkTarget(method, target); err != nil {
		return err
	}
	req.Method, req.Target, req.Proto, req.ProtoMajor, req.ProtoMinor = method, target, version, 1, minor
	return nil
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112
// section 2.3; the name is case-sensitive) and returns the minor version
// to serve: 0 for HTTP/1.0, 1 for HTTP/1.1 and any later 1.x (RFC 9110
// section 6.2: a server may send its highest minor version below the
// request's major version, and must be ready for a higher minor one). Any
// other major version is 505 (RFC 9110 section 15.6.6).
func parseVersion(v string) (int, error) {
	if len(v) != len("HTTP/1.1") || v[:5] != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		return 0, badRequest(ErrVersion, quote(v))
	}
	if v[5] != '1' {
		return 0, statusError(http.StatusHTTPVersionNotSupported, ErrVersionNotSupported, quote(v))
	}
	if v[7] == '0' {
		return 0, nil
	}
	return 1, nil
}
