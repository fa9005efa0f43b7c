package ch04_test

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestLocalAddrInContext: each request's context holds the connection's
// local address under http.LocalAddrContextKey, as net/http's does: the
// address the client dialled.
func TestLocalAddrInContext(t *testing.T) {
	got := make(chan any, 1)
	addr, _ := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Context().Value(http.LocalAddrContextKey)
	}), nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	io.ReadAll(c)
	v := <-got
	la, ok := v.(net.Addr)
	if !ok || la.String() != c.RemoteAddr().String() || la.Network() != "tcp" {
		t.Errorf("r.Context().Value(http.LocalAddrContextKey) = %#v, want the net.Addr %s the client dialled", v, c.RemoteAddr())
	}
}
