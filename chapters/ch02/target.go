package ch02

import "strings"

// checkTarget checks the request-target's form against its method (RFC
// 9112 section 3.2):
//
//	origin-form    = absolute-path [ "?" query ]     "/where?q=1"
//	absolute-form  = absolute-URI                    "http://host/where"
//	authority-form = uri-host ":" port               "host:443", CONNECT only
//	asterisk-form  = "*"                             OPTIONS only
func checkTarget(method, target string) error {
	if target == "" || !allOf(target, classTarget) {
		return badRequest(ErrTarget, quote(target))
	}
	switch {
	case method == "CONNECT":
		// RFC 9112 section 3.2.3: CONNECT takes the authority-form, and
		// only CONNECT does (any other method would read it as a path).
		if !validHostPort(target, true) {
			return badRequest(ErrTarget, "CONNECT needs host:port, got "+quote(target))
		}
	case target[0] == '/':
		// origin-form: the common case. Its characters were checked above.
	case target == "*":
		// RFC 9112 section 3.2.4: asterisk-form is only for a server-wide
		// OPTIONS.
		if method != "OPTIONS" {
			return badRequest(ErrTarget, "* is only for OPTIONS")
		}
	default:
		if !validAbsoluteURI(target) {
			return badRequest(ErrTarget, quote(target))
		}
	}
	return nil
}

// validAbsoluteURI reports whether s is an absolute-URI in hierarchical
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
func validAbsoluteURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" || !isAlpha(scheme[0]) || strings.IndexByte(scheme, ':') >= 0 {
		return false
	}
	for i := 1; i < len(scheme); i++ {
		if c := scheme[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	if !equalFold(scheme, "http") && !equalFold(scheme, "https") {
		return true
	}
	if end := strings.IndexAny(rest, "/?"); end >= 0 {
		rest = rest[:end]
	}
	return validHostPort(rest, false)
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// validHostPort reports whether s is uri-host [ ":" port ] (RFC 3986
// section 3.2.2): a non-empty reg-name, IPv4 address or bracketed
// IP-literal, then optionally a colon and digits. needPort requires the
// port, with at least one digit, as the authority-form does.
func validHostPort(s string, needPort bool) bool {
	host, port, hasPort := s, "", false
	if strings.HasPrefix(s, "[") {
		// An IP-literal holds hex digits, colons and dots (IPv6) or "v"
		// and unreserved/sub-delims (IPvFuture): classHost covers both.
		var rest string
		var ok bool
		if host, rest, ok = strings.Cut(s[1:], "]"); !ok || host == "" || strings.ContainsAny(host, "[") {
			return false
		}
		if rest != "" {
			if rest[0] != ':' {
				return false
			}
			port, hasPort = rest[1:], true
		}
	} else {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			host, port, hasPort = s[:i], s[i+1:], true
		}
		if host == "" || strings.ContainsAny(host, ":[]") {
			return false
		}
	}
	if !allOf(host, classHost) || needPort && (!hasPort || port == "") {
		return false
	}
	for i := 0; i < len(port); i++ {
		if !isDigit(port[i]) {
			return false
		}
	}
	return true
}
