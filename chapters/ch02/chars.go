package ch02

import "strings"

// Byte classes, as bits in one 256-entry table so each check is a load and
// a mask instead of a chain of comparisons.
const (
	// classToken: tchar, the bytes of a token (RFC 9110 section 5.6.2):
	// methods, field names, transfer codings, chunk extension names.
	classToken = 1 << iota

	// classValue: bytes allowed inside a field value (RFC 9110 section
	// 5.5): VCHAR, SP, HTAB and obs-text (0x80-0xFF). Every other control
	// byte, NUL, CR and LF included, is not.
	classValue

	// classTarget: bytes allowed in a request-target. RFC 3986 allows
	// fewer, but browsers send some of the rest unescaped (|, ^, {, }
	// in queries, following the WHATWG URL standard), so the parser only
	// rejects what can never be part of a URI on the wire: controls, SP,
	// DEL, non-ASCII, and '#' (a fragment is never sent, RFC 9112
	// section 3.2.1). Checking the rest is the application's business.
	classTarget

	// classHost: bytes of uri-host [":" port] (RFC 3986 section 3.2.2):
	// unreserved, pct-encoded, sub-delims, ':' and the brackets of an
	// IP-literal.
	classHost

	// classQdtext: bytes allowed unescaped inside a quoted-string (RFC
	// 9110 section 5.6.4): HTAB, SP, VCHAR except '"' and '\', obs-text.
	classQdtext
)

// chars classifies every byte value. It is built once and never written
// after.
var chars = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		isAlnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if isAlnum || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0 {
			t[c] |= classToken
		}
		if 0x21 <= b && b <= 0x7e || b == ' ' || b == '\t' || b >= 0x80 {
			t[c] |= classValue
		}
		if 0x21 <= b && b <= 0x7e && b != '#' {
			t[c] |= classTarget
		}
		if isAlnum || strings.IndexByte("-._~%!$&'()*+,;=:[]", b) >= 0 {
			t[c] |= classHost
		}
		if b == '\t' || b == ' ' || 0x21 <= b && b <= 0x7e && b != '"' && b != '\\' || b >= 0x80 {
			t[c] |= classQdtext
		}
	}
	return t
}()

// allOf reports whether every byte of s is in class.
func allOf(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if chars[s[i]]&class == 0 {
			return false
		}
	}
	return true
}

// ValidToken reports whether s is a non-empty token (RFC 9110 section
// 5.6.2), the syntax of methods and field names. Chapter 3 uses it to
// refuse a response field name that could break the header section.
func ValidToken(s string) bool {
	return len(s) > 0 && allOf(s, classToken)
}

// ValidFieldValue reports whether every byte of s may appear in a field
// value (RFC 9110 section 5.5): visible characters, SP, HTAB and obs-text,
// never CR, LF, NUL or another control. Chapter 3 uses it against
// response splitting.
func ValidFieldValue(s string) bool {
	return allOf(s, classValue)
}

// isOWS reports whether c is optional whitespace: SP or HTAB (RFC 9110
// section 5.6.3).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// equalFold reports whether a equals b ignoring ASCII case. Field names
// are case-insensitive (RFC 9110 section 5.1); strings.EqualFold would
// also fold Unicode, which a token never holds.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
