package ch02

import (
	"iter"
	"strings"
)

// ListElements returns the elements of a field value that is a
// comma-separated list, the #rule of RFC 9110 section 5.6.1:
//
//	#element => [ element ] *( OWS "," OWS [ element ] )
//
// Each element comes without the OWS around it, and empty elements are
// skipped, as the RFC tells a recipient to do: "a, , b" is "a" and "b".
// Several fields of the same name are one list (RFC 9110 section 5.3), so
// a caller ranges over each field's value in turn. Transfer-Encoding,
// Connection, Expect and Trailer are all read this way.
//
// A comma inside a quoted string (a parameter value, RFC 9110 section
// 5.6.4) splits the element too. None of those four fields carries a
// quoted string a server needs: what such a split leaves is no coding,
// expectation or token the callers know, and the worst it can do is close
// a connection.
func ListElements(v string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for elem := range strings.SplitSeq(v, ",") {
			if elem = trimOWS(elem); elem != "" && !yield(elem) {
				return
			}
		}
	}
}
