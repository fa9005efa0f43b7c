package final

import (
	"context"
	"net"
	"net/http"
	"strconv"

	"github.com/pires/go-proxyproto"
)

// gatewayKey is the context key under which the context of a connection
// from a trusted gateway (see fromTrustedProxy) holds true.
type gatewayKey struct{}

// markGateway is the part of chapter 5's ConnContext hook that tells a
// connection from a trusted gateway: its requests may name an "https"
// target without TLS on this hop, since the gateway ended the client's
// TLS itself (refuseMisdirected).
func markGateway(ctx context.Context, c net.Conn) context.Context {
	if fromTrustedProxy(c) {
		return context.WithValue(ctx, gatewayKey{}, true) // one per connection
	}
	return ctx
}

// fromTrustedProxy reports whether c came through the PROXY protocol
// listener from a peer in --forwarded-allow-ips (the peers that must send
// the header), looking through the wrappers the server puts around a
// connection: TLS and the --max-conns count.
func fromTrustedProxy(c net.Conn) bool {
	for {
		switch v := c.(type) {
		case *proxyConn:
			return v.policy == proxyproto.REQUIRE
		case *countedTLSConn:
			c = v.countedConn.Conn
		case *countedConn:
			c = v.Conn
		case interface{ NetConn() net.Conn }: // *tls.Conn
			c = v.NetConn()
		default:
			return false
		}
	}
}

// refuseMisdirected answers 421 Misdirected Request, without calling h,
// a request whose target names a scheme this connection cannot serve.
// RFC 9110 section 7.4: "Unless the connection is from a trusted gateway,
// an origin server MUST reject a request if any scheme-specific
// requirements for the target URI are not met", and a request for an
// "https" resource received without TLS is the case it names; section
// 15.5.20 gives 421 for a target that "does not match the connection
// context". A scheme other than http and https names an origin this
// server is not, which section 7.4 lets it refuse the same way. Only an
// absolute-form target names a scheme: the usual origin-form ("/path")
// costs one comparison of an empty string.
func refuseMisdirected(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Scheme {
		case "", "http":
		case "https":
			if r.TLS == nil && r.Context().Value(gatewayKey{}) == nil {
				http.Error(w, "Misdirected Request: an https target on a connection without TLS", http.StatusMisdirectedRequest)
				return
			}
		default:
			http.Error(w, "Misdirected Request: this server serves http and https, not "+strconv.Quote(r.URL.Scheme), http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}
