package final

import (
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/internal/testkit"
)

func TestFlagsCheck(t *testing.T) {
	tests := []struct {
		name  string
		flags Flags
		want  string // "" for valid
	}{
		{"defaults", Flags{Port: 8080}, ""},
		{"port range", Flags{Port: 70000}, "--port 70000 is out of range"},
		{"negative workers", Flags{Workers: -1}, "--workers -1"},
		{"jitter alone", Flags{MaxRequestsJitter: 5}, "--max-requests-jitter needs --max-requests"},
		{"cert without key", Flags{TLSCert: "c.pem"}, "--tls-cert and --tls-key go together"},
		{"negative timeout", Flags{IdleTimeout: -time.Second}, "--idle-timeout -1s"},
		{"bad log format", Flags{AccessLogFormat: "apache"}, `--access-log-format "apache"`},
		{"negative max-conns", Flags{MaxConns: -1}, "--max-conns -1"},
		{"log level debug", Flags{LogLevel: "debug"}, ""},
		{"log level info", Flags{LogLevel: "info"}, ""},
		{"unknown log level", Flags{LogLevel: "verbose"}, `--log-level "verbose"`},
		{"worker timeout", Flags{Workers: 2, WorkerTimeout: 30 * time.Second}, ""},
		{"negative worker timeout", Flags{Workers: 2, WorkerTimeout: -time.Second}, "--worker-timeout -1s"},
		{"tiny worker timeout", Flags{Workers: 2, WorkerTimeout: time.Millisecond}, "--worker-timeout 1ms is too short"},
		{"worker timeout alone", Flags{WorkerTimeout: time.Second}, "--worker-timeout watches workers: it needs --workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flags.Check()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Check(%+v) = %v, want nil", tt.flags, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Check(%+v) = %v, want an error containing %q", tt.flags, err, tt.want)
			}
		})
	}
}

// parse parses args into Flags the way Run does.
func parse(t *testing.T, args ...string) (*Flags, error) {
	t.Helper()
	var f Flags
	p, err := kong.New(&f, kong.Configuration(LoadConfig), kong.Exit(func(int) { t.Fatal("exit") }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Parse(args)
	return &f, err
}

func TestConfigFileAndFlagsWin(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/server.json"
	writeFile(t, path, `{"port": 9000, "workers": 2, "idle_timeout": "2s", "max-body": "1MiB", "access-log": "off"}`)
	f, err := parse(t, "--config", path, "--port", "9100")
	if err != nil {
		t.Fatal(err)
	}
	if f.Port != 9100 {
		t.Errorf("port = %d, want the flag's 9100 over the file's 9000", f.Port)
	}
	if f.Workers != 2 || f.IdleTimeout != 2*time.Second || f.MaxBody != 1<<20 || f.AccessLog != "off" {
		t.Errorf("from the file: workers %d, idle %v, max-body %d, access-log %q", f.Workers, f.IdleTimeout, f.MaxBody, f.AccessLog)
	}
}

func TestBadConfigFiles(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"unknown key", `{"prot": 9000}`, `unknown key "prot"`},
		{"not JSON", `port = 9000`, "not a JSON object"},
		{"nested", `{"port": {"value": 1}}`, `config key "port"`},
		{"bad value", `{"port": "nine"}`, "port"},
		{"a command line's own", `{"check-config": true}`, `unknown key "check-config"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir() + "/bad.json"
			writeFile(t, path, tt.json)
			_, err := parse(t, "--config", path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("config %s: %v, want an error containing %q", tt.json, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// TestLogLevelFlag: --log-level comes from the command line or the config
// file, like every flag; it is quiet (empty: info) by default.
func TestLogLevelFlag(t *testing.T) {
	f, err := parse(t)
	if err != nil || f.LogLevel != "" {
		t.Errorf("default --log-level = %q, %v; want empty (info)", f.LogLevel, err)
	}
	if f, err = parse(t, "--log-level", "debug"); err != nil || f.LogLevel != "debug" {
		t.Errorf("--log-level debug = %q, %v", f.LogLevel, err)
	}
	path := t.TempDir() + "/server.json"
	writeFile(t, path, `{"log_level": "debug"}`)
	if f, err = parse(t, "--config", path); err != nil || f.LogLevel != "debug" {
		t.Errorf("config log_level debug = %q, %v", f.LogLevel, err)
	}
}

// TestWorkerTimeoutFlag: --worker-timeout comes from the command line or
// the config file, with either spelling of its key, and is off (0) by
// default; a number without a unit is refused, naming the flag.
func TestWorkerTimeoutFlag(t *testing.T) {
	f, err := parse(t)
	if err != nil || f.WorkerTimeout != 0 {
		t.Errorf("default --worker-timeout = %v, %v; want 0 (off)", f.WorkerTimeout, err)
	}
	if f, err = parse(t, "--workers", "2", "--worker-timeout", "30s"); err != nil || f.WorkerTimeout != 30*time.Second {
		t.Errorf("--worker-timeout 30s = %v, %v", f.WorkerTimeout, err)
	}
	for _, key := range []string{"worker-timeout", "worker_timeout"} {
		path := t.TempDir() + "/server.json"
		writeFile(t, path, `{"workers": 2, "`+key+`": "5s"}`)
		if f, err = parse(t, "--config", path); err != nil || f.WorkerTimeout != 5*time.Second {
			t.Errorf("config %s 5s = %v, %v", key, f.WorkerTimeout, err)
		}
		if f, err = parse(t, "--config", path, "--worker-timeout", "7s"); err != nil || f.WorkerTimeout != 7*time.Second {
			t.Errorf("config %s 5s, flag 7s = %v, %v; want the flag's", key, f.WorkerTimeout, err)
		}
	}
	if _, err = parse(t, "--worker-timeout", "30"); err == nil || !strings.Contains(err.Error(), "worker-timeout") {
		t.Errorf("--worker-timeout 30 = %v, want an error naming the flag", err)
	}
}

// TestNoFlagHasAKongDefault: kong marks a flag with a default as given,
// so `learn run chNN`, which refuses the flags a stage does not take,
// would refuse every stage but final. Defaults are applied in code (a
// zero value means the default), never with a default tag; only --host
// and --port, which every stage takes, may have one.
func TestNoFlagHasAKongDefault(t *testing.T) {
	ft := reflect.TypeFor[Flags]()
	for i := range ft.NumField() {
		if name := ft.Field(i).Name; name == "Host" || name == "Port" {
			continue
		}
		if d, ok := ft.Field(i).Tag.Lookup("default"); ok {
			t.Errorf("Flags.%s has default:%q: apply the default in code", ft.Field(i).Name, d)
		}
	}
}

// TestRunHelp: --help prints the flags and returns 0 without serving;
// a bad flag is one line and 2. Run returns where kong would exit.
func TestRunHelp(t *testing.T) {
	var out, errs strings.Builder
	if code := Run([]string{"--help", "--port", "1"}, nil, &out, &errs); code != 0 {
		t.Fatalf("Run(--help) = %d, want 0; stderr %q", code, errs.String())
	}
	if !strings.Contains(out.String(), "--graceful-timeout") || !strings.Contains(out.String(), "--pid") {
		t.Errorf("--help output lacks the flags:\n%s", out.String())
	}
	errs.Reset()
	if code := Run([]string{"--no-such-flag"}, nil, &out, &errs); code != 2 {
		t.Fatalf("Run(--no-such-flag) = %d, want 2", code)
	}
	if lines := strings.Count(strings.TrimSpace(errs.String()), "\n") + 1; lines != 1 || !strings.Contains(errs.String(), "--no-such-flag") {
		t.Errorf("bad flag: stderr %q, want one line naming it", errs.String())
	}
}

// TestCheckConfig: --check-config says whether the flags and the config
// file are good, 0 or 2, without listening: the port it is given is in
// use, and a server would fail there.
func TestCheckConfig(t *testing.T) {
	port := strconv.Itoa(testkit.Listen(t).Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	writeFile(t, good, `{"idle-timeout": "2s", "access-log": "off"}`)
	writeFile(t, bad, `{"idle-timeout": "soon"}`)
	pidFile, big := filepath.Join(dir, "server.pid"), filepath.Join(dir, "big.json")
	writeFile(t, pidFile, strconv.Itoa(os.Getppid())+"\n")
	writeFile(t, big, `{"access-log": "`+strings.Repeat("a", maxConfig)+`"}`)
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--config", good}, 0, "the configuration is good"},
		{[]string{"--config", bad}, 2, "idle-timeout"},
		{[]string{"--workers", "2", "--max-requests-jitter", "5"}, 2, "--max-requests-jitter needs --max-requests"},
		{[]string{"--access-log", filepath.Join(dir, "missing", "access.log")}, 2, "access.log"},
		// Beside the server it is about: the pid file names a running
		// process, which is no error here.
		{[]string{"--config", good, "--pid", pidFile}, 0, "the configuration is good"},
		// A master hands the file to its workers in an environment string.
		{[]string{"--config", big, "--workers", "2"}, 2, "over the"},
	} {
		var out, errs strings.Builder
		args := append([]string{"--check-config", "--port", port}, tc.args...)
		code := Run(args, nil, &out, &errs)
		if code != tc.code || !strings.Contains(out.String()+errs.String(), tc.says) {
			t.Errorf("Run(%q) = %d, stdout %q, stderr %q; want %d and %q", args, code, out.String(), errs.String(), tc.code, tc.says)
		}
	}
}
