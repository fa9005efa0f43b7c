package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdUnixGet GETs URLPATH over the Unix socket at PATH and prints the
// status line and the body, as `unixget PATH URLPATH`. The socket may
// appear a little after the server accepts on its TCP port: a missing
// socket, or one not listening yet, is retried for up to ReadyTimeout.
// `! unixget` wants the request to fail.
func cmdUnixGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: unixget PATH URLPATH")
	}
	path, urlPath := ts.MkAbs(args[0]), "/"+strings.TrimPrefix(args[1], "/")
	out, err := unixGet(path, urlPath, ReadyTimeout)
	fmt.Fprint(ts.Stdout(), out)
	switch {
	case err != nil && !neg:
		failf(ts, fmt.Sprintf("GET %s answered over the Unix socket %s", urlPath, path), err.Error(),
			"unixget: a GET over a Unix socket failed")
	case err == nil && neg:
		failf(ts, "a failed request", "it was answered", "unixget: GET %s over %s succeeded", urlPath, path)
	}
}

// unixGet GETs urlPath through the socket at path, waiting up to wait for
// the socket to exist and listen.
func unixGet(path, urlPath string, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			for {
				c, err := d.DialContext(ctx, "unix", path)
				notYet := errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED)
				if err == nil || !notYet || time.Now().After(deadline) {
					return c, err
				}
				time.Sleep(20 * time.Millisecond)
			}
		},
		DisableCompression: true,
		DisableKeepAlives:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: wait + ReadTimeout}
	// The host names nothing: the socket is the address.
	resp, err := client.Get("http://localhost" + urlPath)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	out := fmt.Sprintf("%s %s\n\n%s", resp.Proto, resp.Status, body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		out += "\n"
	}
	if err != nil {
		return out, fmt.Errorf("GET %s: reading the body: %w", urlPath, err)
	}
	return out, nil
}
