package ch04

// This file turns a request-target into the *url.URL a handler sees, the
// way net/http's server does, with a fast path for the common
// "/path?query" that allocates nothing. It is the URL's corner of
// NewRequest (request.go): read that first.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// parseTarget sets *u to the request-target parsed as net/http's server
// parses it. The common case, an origin-form target whose path needs no
// escaping, is split by hand into Path and RawQuery without allocating;
// everything else goes through url.ParseRequestURI. FuzzParseTarget checks
// that the two always agree.
func parseTarget(u *url.URL, method, target string) error {
	if method == http.MethodConnect && !strings.HasPrefix(target, "/") {
		// Authority-form (RFC 9112 section 3.2.3): "host:port" is not a URL
		// on its own, so net/http parses it as "http://host:port" and then
		// forgets the scheme it made up.
		parsed, err := url.ParseRequestURI("http://" + target)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadTarget, err)
		}
		*u = *parsed
		u.Scheme = ""
		return nil
	}
	if simpleOriginForm(u, target) {
		return nil
	}
	parsed, err := url.ParseRequestURI(target)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadTarget, err)
	}
	*u = *parsed
	return nil
}

// simpleOriginForm fills u from an origin-form target ("/path?query")
// whose path holds only bytes url.URL.EscapedPath would leave as they are
// (so RawPath stays empty and Path is the path unchanged), and reports
// whether it did. The query is not checked: url.ParseRequestURI does not
// check it either.
func simpleOriginForm(u *url.URL, target string) bool {
	if target == "" || target[0] != '/' {
		return false
	}
	path, query, hasQuery := target, "", false
	if i := strings.IndexByte(target, '?'); i >= 0 {
		path, query, hasQuery = target[:i], target[i+1:], true
	}
	for i := 0; i < len(path); i++ {
		if !pathByte[path[i]] {
			return false
		}
	}
	*u = url.URL{Path: path, RawQuery: query}
	// "/p?" keeps its lone "?" (ForceQuery), as url.Parse does.
	u.ForceQuery = hasQuery && query == ""
	return true
}

// pathByte marks the bytes a path may hold unescaped in net/url's eyes
// (shouldEscape with encodePath): unreserved characters and
// "$&+,/:;=@". Anything else ('%', '!', '*', '{', ...) takes the slow path.
var pathByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.~$&+,/:;=@" {
		t[c] = true
	}
	return t
}()
