package ch02

import (
	"bytes"
	"net/http"
)

// requestLine locates the parts of a request-line in the head buffer.
// The method is line[:methodEnd], the target sits between the two SPs,
// the version is line[versionStart:versionEnd].
type requestLine struct {
	methodEnd, versionStart, versionEnd int
	minor                               int // the minor version served: 0 or 1
}

// parseRequestLine parses line, a request-line without its CRLF:
//
//	request-line = method SP request-target SP HTTP-version
//
// (RFC 9112 section 3). Exactly one SP separates the parts: RFC 9112
// section 3 lets a recipient split on any whitespace, but a parser that
// accepts more than the grammar is one that disagrees with the next hop
// about where the target ends.
//
// The version is checked first, so a request of another major version is
// answered 505 whatever else is wrong with it (it may follow rules we do
// not know).
func parseRequestLine(line []byte) (requestLine, error) {
	rl, err := splitRequestLine(line)
	if err != nil && bytes.IndexByte(line, '\r') >= 0 {
		// A bare CR is the likelier mistake, and the one RFC 9112
		// section 2.2 names: report it rather than its consequence.
		return requestLine{}, badRequest(ErrLineEnding, "bare CR in request-line")
	}
	return rl, err
}

// splitRequestLine does parseRequestLine's work.
func splitRequestLine(line []byte) (requestLine, error) {
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 < 0 || sp1 == sp2 {
		// No SP at all, or only one: "GET /" is an HTTP/0.9 request,
		// which has no version and no place in HTTP/1.1 (RFC 9112
		// section 2.3).
		return requestLine{}, badRequest(ErrRequestLine, "want method SP target SP version")
	}
	rl := requestLine{methodEnd: sp1, versionStart: sp2 + 1, versionEnd: len(line)}
	minor, err := parseVersion(line[sp2+1:])
	if err != nil {
		return requestLine{}, err
	}
	rl.minor = minor
	method, target := line[:sp1], line[sp1+1:sp2]
	if !isToken(method) {
		return requestLine{}, badRequest(ErrMethod, quote(method))
	}
	if err := checkTarget(method, target); err != nil {
		return requestLine{}, err
	}
	return rl, nil
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112
// section 2.3; the name is case-sensitive) and returns the minor version
// to serve: 0 for HTTP/1.0, 1 for HTTP/1.1 and any later 1.x (RFC 9110
// section 6.2: a server may send its highest minor version below the
// request's major version, and must be ready for a higher minor one). Any
// other major version is 505 (RFC 9110 section 15.6.6).
func parseVersion(v []byte) (int, error) {
	if len(v) != len("HTTP/1.1") || string(v[:5]) != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
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

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// checkTarget checks the request-target's form against its method (RFC
// 9112 section 3.2):
//
//	origin-form    = absolute-path [ "?" query ]     "/where?q=1"
//	absolute-form  = absolute-URI                    "http://host/where"
//	authority-form = uri-host ":" port               "host:443", CONNECT only
//	asterisk-form  = "*"                             OPTIONS only
func checkTarget(method, target []byte) error {
	if len(target) == 0 || !allOf(target, classTarget) {
		return badRequest(ErrTarget, quote(target))
	}
	isConnect := string(method) == "CONNECT"
	switch {
	case isConnect:
		// RFC 9112 section 3.2.3: CONNECT takes the authority-form, and
		// only CONNECT does (any other method would read it as a path).
		if !validHostPort(target, true) {
			return badRequest(ErrTarget, "CONNECT needs host:port, got "+quote(target))
		}
	case target[0] == '/':
		// origin-form: the common case. Its characters were checked above.
	case len(target) == 1 && target[0] == '*':
		// RFC 9112 section 3.2.4: asterisk-form is only for a server-wide
		// OPTIONS.
		if string(method) != "OPTIONS" {
			return badRequest(ErrTarget, "* is only for OPTIONS")
		}
	default:
		if !validAbsoluteURI(target) {
			return badRequest(ErrTarget, quote(target))
		}
	}
	return nil
}

// validAbsoluteURI reports whether b is an absolute-URI in hierarchical
// form, scheme "://" authority [ path ] [ "?" query ], which is what
// clients send to proxies. The scheme is ALPHA *( ALPHA / DIGIT / "+" /
// "-" / "." ) (RFC 3986 section 3.1).
//
// RFC 3986 also allows "scheme:path" without "//", but then "example.com:80"
// would be a URI with scheme "example.com": that is the authority-form,
// which RFC 9112 section 3.2.3 reserves for CONNECT.
//
// For the http and https schemes the host must be non-empty (RFC 9110
// section 4.2.1: a recipient MUST reject an http URI with an empty host)
// and userinfo ("user:pass@") is rejected, as RFC 9110 section 4.2.4 says
// a recipient SHOULD: it is how phishing links pass for another host.
func validAbsoluteURI(b []byte) bool {
	colon := bytes.IndexByte(b, ':')
	if colon <= 0 || !isAlpha(b[0]) {
		return false
	}
	for _, c := range b[1:colon] {
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	rest := b[colon+1:]
	if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
		return false
	}
	scheme := b[:colon]
	if !equalFold(scheme, "http") && !equalFold(scheme, "https") {
		return true
	}
	rest = rest[2:]
	end := bytes.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	return validHostPort(rest[:end], false)
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// validHostPort reports whether s is uri-host [ ":" port ] (RFC 3986
// section 3.2.2): a non-empty reg-name, IPv4 address or bracketed
// IP-literal, then optionally a colon and digits. needPort requires the
// port, with at least one digit, as the authority-form does.
func validHostPort[T text](s T, needPort bool) bool {
	host, port, hasPort := s, s[:0], false
	if len(s) > 0 && s[0] == '[' {
		end := indexOf(s, ']')
		if end < 0 {
			return false
		}
		host = s[1:end]
		if rest := s[end+1:]; len(rest) > 0 {
			if rest[0] != ':' {
				return false
			}
			port, hasPort = rest[1:], true
		}
		// An IP-literal holds hex digits, colons and dots (IPv6) or "v"
		// and unreserved/sub-delims (IPvFuture): classHost covers both.
		if len(host) == 0 || indexOf(host, '[') >= 0 || !allOf(host, classHost) {
			return false
		}
	} else {
		if i := lastIndexOf(s, ':'); i >= 0 {
			host, port, hasPort = s[:i], s[i+1:], true
		}
		if len(host) == 0 || indexOf(host, ':') >= 0 || indexOf(host, '[') >= 0 || indexOf(host, ']') >= 0 ||
			!allOf(host, classHost) {
			return false
		}
	}
	if needPort && (!hasPort || len(port) == 0) {
		return false
	}
	for i := 0; i < len(port); i++ {
		if !isDigit(port[i]) {
			return false
		}
	}
	return true
}
