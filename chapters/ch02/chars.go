package ch02

import "encoding/binary"

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
	for c := 0; c < 256; c++ {
		b := byte(c)
		isAlnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if isAlnum || indexByte("!#$%&'*+-.^_`|~", b) {
			t[c] |= classToken
		}
		if 0x21 <= b && b <= 0x7e || b == ' ' || b == '\t' || b >= 0x80 {
			t[c] |= classValue
		}
		if 0x21 <= b && b <= 0x7e && b != '#' {
			t[c] |= classTarget
		}
		if isAlnum || indexByte("-._~%!$&'()*+,;=:[]", b) {
			t[c] |= classHost
		}
		if b == '\t' || b == ' ' || 0x21 <= b && b <= 0x7e && b != '"' && b != '\\' || b >= 0x80 {
			t[c] |= classQdtext
		}
	}
	return t
}()

// indexByte reports whether s contains b; only used to build chars.
func indexByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// text is what the byte helpers below take: the parser checks bytes
// before the head becomes a string, and strings after.
type text interface{ ~string | ~[]byte }

// allOf reports whether every byte of b is in class.
func allOf[T text](b T, class uint8) bool {
	for i := 0; i < len(b); i++ {
		if chars[b[i]]&class == 0 {
			return false
		}
	}
	return true
}

// indexOf returns the index of the first c in s, or -1.
func indexOf[T text](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// lastIndexOf returns the index of the last c in s, or -1.
func lastIndexOf[T text](s T, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// validFieldValue reports whether every byte of b may appear in a field
// value (classValue). Values are most of a request head's bytes, so it
// checks eight at a time first: a word with no byte below 0x20 and none
// equal to 0x7f is all allowed (0x80-0xff, obs-text, are allowed too).
// Only a word that might hold a control byte, HTAB included, is checked
// byte by byte.
func validFieldValue(b []byte) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		below20 := (x - 0x20*ones) &^ x & highs // some byte < 0x20
		y := x ^ 0x7f*ones
		is7f := (y - ones) &^ y & highs // some byte == 0x7f
		if below20|is7f != 0 {
			break
		}
	}
	return allOf(b[i:], classValue)
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

// isToken reports whether b is a non-empty token (RFC 9110 section 5.6.2).
func isToken(b []byte) bool {
	return len(b) > 0 && allOf(b, classToken)
}

// isOWS reports whether c is optional whitespace: SP or HTAB (RFC 9110
// section 5.6.3).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS returns the bounds of b[i:j] without leading and trailing OWS.
func trimOWS(b []byte, i, j int) (int, int) {
	for i < j && isOWS(b[i]) {
		i++
	}
	for j > i && isOWS(b[j-1]) {
		j--
	}
	return i, j
}

// equalFold reports whether a equals b ignoring ASCII case. Field names
// are case-insensitive (RFC 9110 section 5.1); strings.EqualFold would
// also fold Unicode, which a token never holds.
func equalFold[T text](a T, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
