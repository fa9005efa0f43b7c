package final

import (
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// TestRequestLimitFlags: the --limit-request-* flags, from the command
// line or a config file, reach the Server as Gunicorn's defaults when not
// given, -1 (no limit but the head's) for 0, and their value otherwise.
func TestRequestLimitFlags(t *testing.T) {
	dir := t.TempDir()
	config := dir + "/server.json"
	writeFile(t, config, `{"limit_request_line": 0, "limit-request-fields": "50"}`)
	tests := []struct {
		name                    string
		args                    []string
		line, fields, fieldSize int
	}{
		{"defaults", nil, 4094, 100, 8190},
		{"values", []string{"--limit-request-line", "100", "--limit-request-fields", "10", "--limit-request-field-size", "200"}, 100, 10, 200},
		{"zero", []string{"--limit-request-line", "0", "--limit-request-fields", "0", "--limit-request-field-size", "0"}, -1, -1, -1},
		{"config file", []string{"--config", config}, -1, 50, 8190},
		{"flag over config", []string{"--config", config, "--limit-request-line", "300"}, 300, 50, 8190},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parse(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Check(); err != nil {
				t.Fatalf("Check: %v", err)
			}
			line, fields, fieldSize := f.requestLimits()
			if line != tt.line || fields != tt.fields || fieldSize != tt.fieldSize {
				t.Errorf("%v: limits %d, %d, %d; want %d, %d, %d", tt.args, line, fields, fieldSize, tt.line, tt.fields, tt.fieldSize)
			}
		})
	}
}

// TestRequestLimitFlagsCheck: a negative limit is one line naming its flag.
func TestRequestLimitFlagsCheck(t *testing.T) {
	for _, flag := range []string{"limit-request-line", "limit-request-fields", "limit-request-field-size"} {
		f, err := parse(t, "--"+flag+"=-1")
		if err != nil {
			t.Fatalf("--%s=-1: %v", flag, err)
		}
		err = f.Check()
		if err == nil || !strings.HasPrefix(err.Error(), "--"+flag+" -1: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("Check(--%s=-1) = %v, want one line starting with \"--%s -1: \"", flag, err, flag)
		}
	}
}

// TestServerLimits: the Server's fields as chapter 2's limits. Zero keeps
// chapter 2's defaults; negative means what MaxHeaderBytes allows.
func TestServerLimits(t *testing.T) {
	tests := []struct {
		name string
		srv  *Server
		want ch02.Limits
	}{
		{"zero", &Server{}, ch02.Limits{}},
		{"Gunicorn's", &Server{MaxRequestLine: 4094, MaxHeaderFields: 100, MaxFieldSize: 8190},
			ch02.Limits{MaxRequestLine: 4094, MaxHeaderFields: 100, MaxFieldSize: 8190}},
		{"no limit but the default head", &Server{MaxRequestLine: -1, MaxHeaderFields: -1, MaxFieldSize: -1},
			ch02.Limits{MaxRequestLine: ch02.DefaultMaxHeaderBytes, MaxHeaderFields: ch02.DefaultMaxHeaderBytes}},
		{"no limit but the head", &Server{MaxHeaderBytes: 1000, MaxRequestLine: -1, MaxHeaderFields: -1, MaxBodyBytes: 5},
			ch02.Limits{MaxHeaderBytes: 1000, MaxRequestLine: 1000, MaxHeaderFields: 1000, MaxBodyBytes: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.srv.limits(); got != tt.want {
				t.Errorf("limits() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
