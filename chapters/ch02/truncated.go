package ch02

import "strings"

// A head cut short by EOF is ErrTruncated, unless the bytes that did
// arrive are already invalid whatever would have followed: then the
// error for them says more, and a client sees why it was refused.

// partialRequestLine is the error for a request-line cut short: a bare
// CR in what arrived was invalid whatever would have followed.
func partialRequestLine(line string) error {
	if i := strings.IndexByte(line, '\r'); i >= 0 && i < len(line)-1 {
		return badRequest(ErrLineEnding, "bare CR in request-line")
	}
	return truncated()
}

// partialFieldLine is the error for a section cut short inside line, the
// part of a field line that arrived.
func (fc *FieldChecker) partialFieldLine(line string) error {
	line = strings.TrimSuffix(line, "\r") // may be the CR of a CRLF whose LF never came
	switch {
	case line == "":
	case strings.IndexByte(line, '\r') >= 0:
		return badRequest(ErrLineEnding, "bare CR in field line "+quote(line))
	case isOWS(line[0]) && fc.first():
		return badRequest(ErrLeadingWhitespace, quote(line))
	case isOWS(line[0]):
		return badRequest(ErrObsFold, quote(line))
	case strings.IndexByte(line, ':') < 0:
		if !allOf(line, classToken) {
			return fieldError(line, "field name is not a token")
		}
	default:
		if _, err := fc.parseFieldLine(line); err != nil {
			return err
		}
	}
	return truncated()
}
