package final

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// proxyServer serves r.RemoteAddr with --proxy-protocol and the given
// --forwarded-allow-ips; it returns the address and the server's log.
func proxyServer(t *testing.T, allow string) (addr string, logged func() string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := Options{
		Flags:     Flags{AccessLog: "off", ProxyProtocol: true, ForwardedAllowIPs: allow, ReadHeaderTimeout: 2 * time.Second},
		Listeners: []net.Listener{ln},
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.RemoteAddr) }),
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(&log, format+"\n", args...)
		},
	}
	go func() { done <- Serve(ctx, nil, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	})
	return ln.Addr().String(), func() string {
		mu.Lock()
		defer mu.Unlock()
		return log.String()
	}
}

// exchange sends raw bytes and returns the response's body, or an error
// when the server closes the connection without one.
func exchange(t *testing.T, addr string, raw []byte) (string, error) {
	t.Helper()
	_, body, err := exchangeOn(testkit.Dial(t, addr, 5*time.Second), raw)
	return body, err
}

// exchangeOn sends raw bytes on c, reads one response, and closes c. It
// returns the response's status and body, or an error when the server
// closed the connection without a response.
func exchangeOn(c net.Conn, raw []byte) (status int, body string, err error) {
	defer c.Close()
	if _, err := c.Write(raw); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

const plainGET = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

// proxyV2 is a v2 header: PROXY command, TCP over IPv4, src:sport ->
// dst:dport.
func proxyV2(src, dst [4]byte, sport, dport uint16) []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n")
	b = append(b, 0x21, 0x11, 0x00, 0x0c)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	return binary.BigEndian.AppendUint16(b, dport)
}

func TestProxyProtocolV1(t *testing.T) {
	addr, _ := proxyServer(t, "127.0.0.1")
	got, err := exchange(t, addr, []byte("PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\n"+plainGET))
	if err != nil || got != "203.0.113.7:51234" {
		t.Fatalf("r.RemoteAddr = %q, %v; want the header's 203.0.113.7:51234", got, err)
	}
	got, err = exchange(t, addr, []byte("PROXY TCP6 2001:db8::1 ::1 4000 80\r\n"+plainGET))
	if err != nil || got != "[2001:db8::1]:4000" {
		t.Fatalf("r.RemoteAddr = %q, %v; want the header's [2001:db8::1]:4000", got, err)
	}
}

func TestProxyProtocolV2(t *testing.T) {
	addr, _ := proxyServer(t, "10.0.0.0/8, 127.0.0.0/8")
	raw := append(proxyV2([4]byte{198, 51, 100, 9}, [4]byte{127, 0, 0, 1}, 40000, 80), plainGET...)
	got, err := exchange(t, addr, raw)
	if err != nil || got != "198.51.100.9:40000" {
		t.Fatalf("r.RemoteAddr = %q, %v; want the header's 198.51.100.9:40000", got, err)
	}
}

func TestProxyProtocolRefusals(t *testing.T) {
	addr, logged := proxyServer(t, "127.0.0.1")
	if got, err := exchange(t, addr, []byte(plainGET)); err == nil {
		t.Errorf("no header from a trusted address: served %q, want the connection closed", got)
	}
	if !strings.Contains(logged(), "no PROXY header from an address in --forwarded-allow-ips") {
		t.Errorf("log lacks the refusal:\n%s", logged())
	}
	// (A second refusal within the second is counted, not logged.)
	if got, err := exchange(t, addr, []byte("PROXY TCP4 nonsense\r\n"+plainGET)); err == nil {
		t.Errorf("malformed header: served %q, want the connection closed", got)
	}

	// 127.0.0.1 is not trusted here: a header is refused, a plain
	// request is served with the peer's own address.
	addr, logged = proxyServer(t, "192.0.2.1")
	if got, err := exchange(t, addr, []byte("PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\n"+plainGET)); err == nil {
		t.Errorf("header from an untrusted address: served %q, want the connection closed", got)
	}
	if !strings.Contains(logged(), "PROXY header from an address not in --forwarded-allow-ips") {
		t.Errorf("log lacks the refusal:\n%s", logged())
	}
	if got, err := exchange(t, addr, []byte(plainGET)); err != nil || !strings.HasPrefix(got, "127.0.0.1:") {
		t.Errorf("plain request from an untrusted address: %q, %v; want it served with 127.0.0.1:PORT", got, err)
	}
}

func TestProxyProtocolHeaderTimeout(t *testing.T) {
	addr, _ := proxyServer(t, "127.0.0.1") // read-header-timeout 2s
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("silent client: read %d, %v; want the connection closed", n, err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("silent client closed after %v, want about the read-header timeout (2s)", d)
	}
}

func TestForwardedAllowIPsCheck(t *testing.T) {
	for _, bad := range []string{"nope", "10.0.0.0/40", "127.0.0.1,,10.0.0.1"} {
		f := Flags{ForwardedAllowIPs: bad}
		err := f.Check()
		if err == nil || !strings.Contains(err.Error(), "--forwarded-allow-ips") || strings.Contains(err.Error(), "\n") {
			t.Errorf("--forwarded-allow-ips %q: %v, want one line naming the flag", bad, err)
		}
	}
	for _, good := range []string{"127.0.0.1", "*", "10.0.0.0/8, ::1", "::ffff:127.0.0.1"} {
		f := Flags{ForwardedAllowIPs: good, ProxyProtocol: true}
		if err := f.Check(); err != nil {
			t.Errorf("--forwarded-allow-ips %q: %v", good, err)
		}
	}
	// Alone it would do nothing: refused, rather than trusted to mean
	// Gunicorn's X-Forwarded-* trust.
	f := Flags{ForwardedAllowIPs: "10.0.0.1"}
	if err := f.Check(); err == nil || !strings.Contains(err.Error(), "needs --proxy-protocol") {
		t.Errorf("--forwarded-allow-ips without --proxy-protocol: %v, want refused", err)
	}
}
