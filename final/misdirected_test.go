package final

import (
	"crypto/tls"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// statusOf sends raw on c and returns the response's status code, or 0
// when the connection ends without one.
func statusOf(c net.Conn, raw string) int {
	status, _, _ := exchangeOn(c, []byte(raw))
	return status
}

// dialTCP connects to addr; the connection fails rather than hang past 5 s.
func dialTCP(t *testing.T, addr string) net.Conn { return testkit.Dial(t, addr, 5*time.Second) }

// getClose is a request for target that closes its connection.
func getClose(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

// TestMisdirectedRequests: on a connection without TLS, an absolute-form
// target that names https, or a scheme other than http, is refused with
// 421 (RFC 9110 section 7.4) and never reaches the handler; origin-form
// and http targets are served.
func TestMisdirectedRequests(t *testing.T) {
	handled := make(chan string, 8)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled <- r.RequestURI
	})}
	addr := serve(t, s, s.Serve)
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/", 200},
		{"http://x/p", 200},
		{"https://x/p", 421},
		{"HTTPS://x/p", 421}, // a scheme's case does not matter (RFC 3986 section 3.1)
		{"ftp://x/p", 421},
		{"ws://x/p", 421},
	} {
		if got := statusOf(dialTCP(t, addr), getClose(tt.target)); got != tt.want {
			t.Errorf("GET %s without TLS: status %d, want %d", tt.target, got, tt.want)
		}
		select {
		case uri := <-handled:
			if tt.want != 200 {
				t.Errorf("GET %s reached the handler", uri)
			}
		default:
			if tt.want == 200 {
				t.Errorf("GET %s answered %d without the handler", tt.target, tt.want)
			}
		}
	}
}

// TestMisdirectedOverTLS: over TLS, an https target is the connection's
// own, and served.
func TestMisdirectedOverTLS(t *testing.T) {
	ts := startTLSServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), nil)
	c, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: ts.pool, ServerName: "127.0.0.1", NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if got := statusOf(c, getClose("https://127.0.0.1/p")); got != 200 {
		t.Errorf("GET https://... over TLS: status %d, want 200", got)
	}
}

// TestMisdirectedFromATrustedProxy: a load balancer in
// --forwarded-allow-ips may have ended the client's TLS itself, so its
// https targets are served; a peer outside the list gets 421.
func TestMisdirectedFromATrustedProxy(t *testing.T) {
	trusted, _ := proxyServer(t, "127.0.0.1")
	header := "PROXY TCP4 192.0.2.1 192.0.2.2 5555 443\r\n"
	if got := statusOf(dialTCP(t, trusted), header+getClose("https://x/p")); got != 200 {
		t.Errorf("GET https://... from a trusted PROXY peer: status %d, want 200", got)
	}
	untrusted, _ := proxyServer(t, "10.0.0.0/8")
	if got := statusOf(dialTCP(t, untrusted), getClose("https://x/p")); got != 421 {
		t.Errorf("GET https://... from a peer not in --forwarded-allow-ips: status %d, want 421", got)
	}
}
