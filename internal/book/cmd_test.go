package book_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/internal/learn"
)

// env returns a Getenv with colors off and the config directory dir.
func env(dir string) func(string) string {
	vars := map[string]string{"NO_COLOR": "1", "LEARN_CONFIG_DIR": dir}
	return func(k string) string { return vars[k] }
}

// TestLearnBook runs `learn book --port 0`, reads the book where it
// says it is, and stops it as Ctrl+C does.
func TestLearnBook(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr strings.Builder
	app := &learn.App{Stdout: w, Stderr: &stderr, Context: ctx, Getenv: env(t.TempDir())}
	done := make(chan int, 1)
	go func() {
		code := app.Main([]string{"book", "--port", "0"})
		w.Close()
		done <- code
	}()
	// The banner names the URL once the port is open.
	url := ""
	lines := bufio.NewScanner(out)
	for url == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "open "); ok {
			url, _, _ = strings.Cut(rest, " ")
		}
	}
	if url == "" {
		t.Fatalf("learn book said no URL; exit %d, stderr %q", <-done, stderr.String())
	}
	go io.Copy(io.Discard, out)
	for _, path := range []string{"", "ch01", "bench"} {
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s%s: %d", url, path, res.StatusCode)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("learn book stopped with exit %d, stderr %q", code, stderr.String())
	}
}

// TestLearnBookPortInUse: a port another server holds is one line and
// exit status 2.
func TestLearnBookPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var stdout, stderr strings.Builder
	app := &learn.App{Stdout: &stdout, Stderr: &stderr, Getenv: env(t.TempDir())}
	code := app.Main([]string{"book", "--port", port})
	want := "learn: port " + port + " is in use on 127.0.0.1: stop the other server or pick another with --port\n"
	if code != 2 || stderr.String() != want {
		t.Errorf("learn book on a busy port: exit %d, stderr %q; want exit 2, %q", code, stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("learn book on a busy port wrote to stdout: %q", stdout.String())
	}
}
