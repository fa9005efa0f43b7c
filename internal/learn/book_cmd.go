package learn

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/book"
)

// BookCmd serves the course as a web book, on the course's own final
// server: the lessons, the learner's progress, and charts of their bench
// runs. Everything it serves is in the learn binary.
type BookCmd struct {
	Host string `default:"127.0.0.1" help:"Address to listen on."`
	Port int    `default:"8080" help:"TCP port to listen on (0 picks a free one)."`
	Open bool   `help:"Open the book in a web browser."`
}

// bookGracefulTimeout bounds the stop: a page is answered in
// milliseconds, so there is nothing to wait long for.
const bookGracefulTimeout = 5 * time.Second

// Run listens, says where the book is, opens a browser if asked, and
// serves until the App's context is cancelled. A port that cannot be
// listened on is one line and exit status 2.
func (c *BookCmd) Run(a *App) error {
	if c.Port < 0 || c.Port > 65535 {
		return usagef("--port %d is out of range: use 1-65535, or 0 for any free port", c.Port)
	}
	dir, err := a.configDir()
	if err != nil {
		a.style.warn.Fprintf(a.Stderr, "learn: %v: the book shows no progress\n", err)
	}
	b, err := book.New(book.Config{ConfigDir: dir})
	if err != nil {
		return err
	}
	ln, err := final.Listen(c.Host, c.Port)
	if err != nil {
		return usageError{err}
	}
	url := bookURL(ln.Addr().(*net.TCPAddr))
	s, logf := a.style, lineLogger(a)
	s.printf("%s\n", s.title.Sprint("The course as a web book"))
	s.printf("open %s (pid %d)\n", s.b.Sprint(url), os.Getpid())
	if dir != "" {
		s.printf("%s\n", s.dim.Sprint("progress and bench runs from "+dir))
	}
	s.printf("\nStop with Ctrl+C.\n\n")
	if c.Open {
		openBrowser(url, logf)
	}
	err = final.Serve(a.Context, ln, final.Options{
		Flags:       final.Flags{GracefulTimeout: bookGracefulTimeout},
		Handler:     b,
		Force:       a.Force,
		Logf:        logf,
		StatusStyle: a.style.statusFunc(),
	})
	if err != nil {
		return fmt.Errorf("book: %w", err)
	}
	a.style.dim.Fprintln(a.Stderr, "stopped")
	return nil
}

// configDir is the directory the learner's record is kept in: progress
// (progress.go) and the last bench comparisons, side by side.
func (a *App) configDir() (string, error) {
	p, err := a.progressPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// bookURL is the address a browser reaches the book at: a server
// listening on every interface is reached at localhost.
func bookURL(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port)) + "/"
}

// openBrowser asks the desktop to open url, with xdg-open (open on
// macOS), and says so through logf when there is no way to.
func openBrowser(url string, logf func(string, ...any)) {
	argv := []string{"xdg-open", url}
	switch runtime.GOOS {
	case "darwin":
		argv = []string{"open", url}
	case "windows":
		argv = []string{"rundll32", "url.dll,FileProtocolHandler", url}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		logf("learn: no browser to open here (no %s on PATH): open %s yourself", argv[0], url)
		return
	}
	cmd := exec.Command(path, argv[1:]...)
	if err := cmd.Start(); err != nil {
		logf("learn: %s: %v: open %s yourself", argv[0], err, url)
		return
	}
	go func() {
		// xdg-open fails when there is no desktop (over ssh, in a
		// container): say so rather than leave the learner waiting.
		if err := cmd.Wait(); err != nil {
			logf("learn: %s could not open a browser (%v): open %s yourself", argv[0], err, url)
		}
	}()
}
