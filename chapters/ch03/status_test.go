package ch03

import "testing"

func TestAppendStatusLine(t *testing.T) {
	tests := []struct {
		name string
		code int
		want string
	}{
		{"ok", 200, "HTTP/1.1 200 OK\r\n"},
		{"continue", 100, "HTTP/1.1 100 Continue\r\n"},
		{"no content", 204, "HTTP/1.1 204 No Content\r\n"},
		{"not found", 404, "HTTP/1.1 404 Not Found\r\n"},
		{"method not allowed", 405, "HTTP/1.1 405 Method Not Allowed\r\n"},
		{"teapot", 418, "HTTP/1.1 418 I'm a teapot\r\n"},
		{"header fields too large", 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
		{"version not supported", 505, "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
		// Unknown codes keep the space before the empty reason phrase, as
		// the grammar of RFC 9112 section 4 requires.
		{"unknown 2xx", 299, "HTTP/1.1 299 \r\n"},
		{"unknown 5xx", 599, "HTTP/1.1 599 \r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendStatusLine([]byte("prefix|"), tt.code))
			if got != "prefix|"+tt.want {
				t.Errorf("AppendStatusLine(%d) = %q, want %q", tt.code, got, "prefix|"+tt.want)
			}
		})
	}
}

func TestStatusAllowsBody(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{100, false}, {101, false}, {199, false},
		{200, true}, {201, true}, {204, false}, {206, true},
		{301, true}, {304, false},
		{404, true}, {500, true},
	}
	for _, tt := range tests {
		if got := StatusAllowsBody(tt.code); got != tt.want {
			t.Errorf("StatusAllowsBody(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
