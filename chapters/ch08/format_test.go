package ch08

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

var sampleTime = time.Date(2000, 10, 10, 13, 55, 36, 420_000_000, time.FixedZone("", -7*3600))

func sampleEntry() Entry {
	return Entry{
		RemoteAddr: "127.0.0.1:52344", Start: sampleTime,
		Method: "GET", RequestURI: "/apache_pb.gif", Proto: "HTTP/1.0",
		Status: 200, Bytes: 2326, Duration: 420 * time.Microsecond,
		Referer: "http://www.example.com/start.html", UserAgent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
	}
}

func TestFormats(t *testing.T) {
	full := sampleEntry()
	empty := sampleEntry()
	empty.Bytes, empty.Referer, empty.UserAgent = 0, "", ""
	hostile := sampleEntry()
	hostile.RequestURI = "/\"a\"\n127.0.0.1 - - forged\\"
	hostile.RemoteAddr = "[::1]:8080"
	hostile.UserAgent = "caf\xc3\xa9"

	tests := []struct {
		name   string
		format Format
		e      Entry
		want   string
	}{
		// The Common and Combined examples are Apache's own documentation's.
		{"common", Common, full,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326` + "\n"},
		{"combined", Combined, full,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"` + "\n"},
		{"common, no body: -", Common, empty,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 -` + "\n"},
		{"combined, no fields: -", Combined, empty,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 - "-" "-"` + "\n"},
		{"console", Console, full,
			`[13:55:36] 127.0.0.1 "GET /apache_pb.gif HTTP/1.0" 200 2326 0.42ms` + "\n"},
		{"escapes stop forged lines", Combined, hostile,
			`::1 - - [10/Oct/2000:13:55:36 -0700] "GET /\"a\"\x0a127.0.0.1 - - forged\\ HTTP/1.0" 200 2326 "http://www.example.com/start.html" "caf\xc3\xa9"` + "\n"},
		{"json", JSON, full,
			`{"time":"2000-10-10T13:55:36.420-07:00","remote":"127.0.0.1","method":"GET","uri":"/apache_pb.gif","proto":"HTTP/1.0","status":200,"bytes":2326,"duration_ms":0.42,"referer":"http://www.example.com/start.html","user_agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.format.Append(nil, &tt.e, nil))
			if got != tt.want {
				t.Errorf("%v.Append(%+v) =\n%s\nwant\n%s", tt.format, tt.e, got, tt.want)
			}
		})
	}
}

func TestJSONIsValidForHostileInput(t *testing.T) {
	e := sampleEntry()
	e.RequestURI = "/\"\\\x00\x1f\xff"
	e.UserAgent = "\xc3\x28"
	line := AppendJSON(nil, &e)
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("AppendJSON(%q) = %s: not JSON: %v", e.RequestURI, line, err)
	}
	if m["status"] != 200.0 || m["uri"] != "/\"\\\x00\x1f\u00ff" {
		t.Errorf("decoded %v", m)
	}
}

func TestConsoleStatusStyle(t *testing.T) {
	e := sampleEntry()
	e.Status = 503
	got := string(AppendConsole(nil, &e, func(code int, s string) string { return "<" + s + ">" }))
	want := `[13:55:36] 127.0.0.1 "GET /apache_pb.gif HTTP/1.0" <503> 2326 0.42ms` + "\n"
	if got != want {
		t.Errorf("AppendConsole = %q, want %q", got, want)
	}
}

func TestParseFormat(t *testing.T) {
	for i, name := range []string{"console", "common", "COMBINED", "json"} {
		if f, err := ParseFormat(name); err != nil || f != Format(i) {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", name, f, err, Format(i))
		}
	}
	if _, err := ParseFormat("apache"); err == nil {
		t.Error(`ParseFormat("apache") succeeded, want ErrUnknownFormat`)
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	e := sampleEntry()
	buf := make([]byte, 0, 512)
	for _, f := range []Format{Console, Common, Combined, JSON} {
		if n := testing.AllocsPerRun(100, func() { buf = f.Append(buf[:0], &e, nil) }); n != 0 {
			t.Errorf("%v.Append allocates %v times, want 0", f, n)
		}
	}
}

func BenchmarkAppendCombined(b *testing.B) {
	e := sampleEntry()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCombined(buf[:0], &e)
	}
}

func TestNewEntry(t *testing.T) {
	start := time.Now()
	get := httptest.NewRequest("GET", "/a?b=c", nil)
	get.Header.Set("Referer", "http://example.com/")
	get.Header.Set("User-Agent", "test/1.0")
	e := NewEntry(get, 200, 13, start)
	if e.Method != "GET" || e.RequestURI != "/a?b=c" || e.Status != 200 || e.Bytes != 13 ||
		e.Referer != "http://example.com/" || e.UserAgent != "test/1.0" || e.Start != start {
		t.Errorf("NewEntry(GET) = %+v", e)
	}
	// In reply to HEAD the handler's bytes were dropped, not sent: the log
	// says none, as Apache's %b does.
	if e := NewEntry(httptest.NewRequest("HEAD", "/", nil), 200, 13, start); e.Bytes != 0 {
		t.Errorf("NewEntry(HEAD).Bytes = %d, want 0", e.Bytes)
	}
}
