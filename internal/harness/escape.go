package harness

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Unescape decodes the escapes a script writes in text it sends:
// \r \n \t \\ \0 and \xHH, and \{N*TEXT}, TEXT (escapes decoded, no
// further \{) N times over: 'GET /\{9000*a}' is "GET /" and 9000 "a"s.
// A long payload is written that way rather than built in a variable, so
// that a failure shows the bytes it sent (a variable would show as its
// name). Any other backslash sequence is an error, so a typo in a script
// fails loudly instead of sending the wrong bytes.
func Unescape(s string) ([]byte, error) { return unescape(s, true) }

// MaxRepeated bounds the bytes one \{N*TEXT} expands to.
const MaxRepeated = 16 << 20

func unescape(s string, repeats bool) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b != '\\' {
			out = append(out, b)
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("harness: trailing backslash in %q", s)
		}
		i++
		switch s[i] {
		case '{':
			if !repeats {
				return nil, fmt.Errorf("harness: \\{ inside \\{N*TEXT} in %q", s)
			}
			data, n, err := repeat(s, i+1)
			if err != nil {
				return nil, err
			}
			out = append(out, data...)
			i += n
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '0':
			out = append(out, 0)
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("harness: short \\x escape in %q", s)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("harness: bad \\x escape in %q", s)
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("harness: unknown escape \\%c in %q", s[i], s)
		}
	}
	return out, nil
}

// repeat expands the N*TEXT} that follows "\\{" in s at start and
// returns how many bytes of s it took, the brace included.
func repeat(s string, start int) ([]byte, int, error) {
	rest, end := s[start:], -1
	for j := 0; j < len(rest) && end < 0; j++ {
		switch rest[j] {
		case '\\':
			j++ // an escape inside TEXT: its byte is not the end
		case '}':
			end = j
		}
	}
	if end < 0 {
		return nil, 0, fmt.Errorf("harness: \\{ without its } in %q", s)
	}
	count, text, ok := strings.Cut(rest[:end], "*")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 0 || count[0] == '+' {
		return nil, 0, fmt.Errorf("harness: \\{%s} is not \\{N*TEXT} in %q", rest[:end], s)
	}
	unit, err := unescape(text, false)
	if err != nil {
		return nil, 0, err
	}
	if len(unit) > 0 && n > MaxRepeated/len(unit) {
		return nil, 0, fmt.Errorf("harness: \\{%s} makes over %d bytes in %q", rest[:end], MaxRepeated, s)
	}
	return bytes.Repeat(unit, n), end + 1, nil
}

// Escape shows bytes the way a script writes them: printable ASCII as is,
// CR, LF and TAB as \r \n \t, a backslash doubled, anything else as \xHH.
// Learners read it in failure reports, so line ends stay visible.
func Escape(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, `\x%02x`, c)
		}
	}
	return sb.String()
}

// ShownBytes bounds how much of a payload a failure report shows: longer
// ones are cut to their head and tail around a count of what was left out,
// so a 9 KiB request line does not bury the failure.
const ShownBytes = 160

// cut escapes b as Escape does, cut to its head and tail when it is longer
// than ShownBytes.
func cut(b []byte) string {
	if len(b) <= ShownBytes {
		return Escape(b)
	}
	half := ShownBytes / 2
	return fmt.Sprintf("%s … (%d bytes in all) … %s", Escape(b[:half]), len(b), Escape(b[len(b)-half:]))
}

// quote is cut inside double quotes: how failure reports show bytes. Unlike
// %q it does not escape Escape's backslashes a second time.
func quote(b []byte) string { return `"` + cut(b) + `"` }

// cutText is text cut as cut cuts bytes, without escaping: for text that
// is already escaped, such as JSON.
func cutText(s string) string {
	if len(s) <= ShownBytes {
		return s
	}
	half := ShownBytes / 2
	return fmt.Sprintf("%s … (%d bytes in all) … %s", s[:half], len(s), s[len(s)-half:])
}
