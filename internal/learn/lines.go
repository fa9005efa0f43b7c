package learn

import "strings"

// splitLines splits text into lines without a trailing empty one.
func splitLines(text string) []string {
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}
