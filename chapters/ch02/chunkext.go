package ch02

// validChunkExt reports whether b is a valid chunk-ext (RFC 9112 section
// 7.1.1):
//
//	chunk-ext     = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
//
// Whitespace is allowed around ";" and "=" (BWS), but not at the end of
// the line: "5 \r\n" is not a chunk-size line.
func validChunkExt(b []byte) bool {
	i := 0
	skipBWS := func() {
		for i < len(b) && isOWS(b[i]) {
			i++
		}
	}
	for i < len(b) {
		skipBWS()
		if i == len(b) || b[i] != ';' {
			return false
		}
		i++
		skipBWS()
		if i = skipToken(b, i); i < 0 {
			return false
		}
		j := i // after the name: "=" may follow, after BWS
		skipBWS()
		if i == len(b) || b[i] != '=' {
			i = j
			continue
		}
		i++
		skipBWS()
		if i < len(b) && b[i] == '"' {
			i = skipQuoted(b, i)
		} else {
			i = skipToken(b, i)
		}
		if i < 0 {
			return false
		}
	}
	return true
}

// skipToken returns the index after the token starting at b[i], or -1 if
// none starts there.
func skipToken(b []byte, i int) int {
	j := i
	for j < len(b) && chars[b[j]]&classToken != 0 {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// skipQuoted returns the index after the quoted-string starting at b[i]
// (RFC 9110 section 5.6.4), or -1 if it is malformed or unterminated.
func skipQuoted(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
			if i++; i == len(b) || chars[b[i]]&classValue == 0 {
				return -1
			}
		case chars[c]&classQdtext == 0:
			return -1
		}
	}
	return -1
}
