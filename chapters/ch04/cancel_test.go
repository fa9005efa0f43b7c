package ch04_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/chapters/ch04"
	"github.com/httpfromscratch/course/internal/testkit"
)

// TestOutgoingCallSeesACancel: an outgoing call a handler makes with
// r.Context() fails, when the client goes away, with an error that is
// context.Canceled to errors.Is, as under net/http (http.Client returns
// the context's cause; ReverseProxy and most code tell a cancel from a
// failure that way), and still names the reason.
func TestOutgoingCallSeesACancel(t *testing.T) {
	backend, accepted := testkit.StallingBackend(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	outgoing := &http.Client{Transport: tr, Timeout: testTimeout}
	got := make(chan error, 1)
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), "GET", "http://"+backend+"/", nil)
		if err != nil {
			got <- err
			return
		}
		resp, err := outgoing.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}), nil)

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	select {
	case <-accepted: // the handler's call is under way
	case <-time.After(testTimeout):
		t.Fatal("the handler's outgoing call never reached the backend")
	}
	c.Close()
	select {
	case err := <-got:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the outgoing call failed with %v, want an error that is context.Canceled", err)
		}
		if !errors.Is(err, ch04.ErrClientGone) {
			t.Errorf("the outgoing call failed with %v, want it to say the client left (ErrClientGone)", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the outgoing call was not cancelled when the client left")
	}
}
