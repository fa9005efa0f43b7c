package ch03

import (
	"errors"
	"testing"
)

func TestAppendHeader(t *testing.T) {
	tests := []struct {
		name    string
		field   string
		value   string
		want    string
		wantErr error
	}{
		{"plain", "Content-Type", "text/plain", "Content-Type: text/plain\r\n", nil},
		{"empty value", "X-Empty", "", "X-Empty: \r\n", nil},
		{"tab and spaces inside", "X-List", "a,\tb, c", "X-List: a,\tb, c\r\n", nil},
		{"obs-text", "X-Latin", "caf\xe9", "X-Latin: caf\xe9\r\n", nil},
		{"all token punctuation", "!#$%&'*+-.^_`|~09azAZ", "v", "!#$%&'*+-.^_`|~09azAZ: v\r\n", nil},

		{"empty name", "", "v", "", ErrInvalidHeaderName},
		{"space in name", "X Bad", "v", "", ErrInvalidHeaderName},
		{"colon in name", "X-Bad:", "v", "", ErrInvalidHeaderName},
		{"CR in name", "X\rBad", "v", "", ErrInvalidHeaderName},
		{"LF in name", "X\nSet-Cookie", "v", "", ErrInvalidHeaderName},
		{"non-ASCII name", "X-Caf\xe9", "v", "", ErrInvalidHeaderName},
		{"CRLF injection", "Location", "/\r\nSet-Cookie: admin=1", "", ErrInvalidHeaderValue},
		{"split into a body", "X-A", "a\r\n\r\n<script>", "", ErrInvalidHeaderValue},
		{"bare LF", "X-A", "a\nb", "", ErrInvalidHeaderValue},
		{"bare CR", "X-A", "a\rb", "", ErrInvalidHeaderValue},
		{"NUL", "X-A", "a\x00b", "", ErrInvalidHeaderValue},
		{"other control", "X-A", "a\x01b", "", ErrInvalidHeaderValue},
		{"DEL", "X-A", "a\x7fb", "", ErrInvalidHeaderValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendHeader([]byte("prefix|"), tt.field, tt.value)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("AppendHeader(%q, %q) error = %v, want %v", tt.field, tt.value, err, tt.wantErr)
			}
			if want := "prefix|" + tt.want; string(got) != want {
				t.Errorf("AppendHeader(%q, %q) = %q, want %q", tt.field, tt.value, got, want)
			}
		})
	}
}
