package ch02

import (
	"slices"
	"testing"
)

func TestListElements(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"", nil},
		{"chunked", []string{"chunked"}},
		{"gzip, chunked", []string{"gzip", "chunked"}},
		{"gzip,chunked", []string{"gzip", "chunked"}},
		{" a ,\tb\t, c", []string{"a", "b", "c"}},
		// RFC 9110 section 5.6.1: empty elements are ignored.
		{"a, , b", []string{"a", "b"}},
		{",,a,,", []string{"a"}},
		{" , \t, ", nil},
		// Only OWS is trimmed: other bytes are the element's.
		{"close\r", []string{"close\r"}},
	}
	for _, tt := range tests {
		got := slices.Collect(ListElements(tt.value))
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListElements(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestListElementsStopsEarly(t *testing.T) {
	var seen []string
	for elem := range ListElements("a, b, c") {
		seen = append(seen, elem)
		if elem == "b" {
			break
		}
	}
	if !slices.Equal(seen, []string{"a", "b"}) {
		t.Errorf("ranging with a break saw %q, want [a b]", seen)
	}
}
