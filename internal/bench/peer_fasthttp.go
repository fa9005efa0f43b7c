package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// FastHTTP names the fasthttp server in --compare lists: a peer to
// measure the course's servers against, as net/http is. fasthttp is a
// dependency of the bench and its peer command only, never of a stage.
const FastHTTP = "fasthttp"

// FastHTTPShutdownTimeout bounds the graceful stop of ServeFastHTTP.
const FastHTTPShutdownTimeout = 5 * time.Second

// The answers of the fasthttp peer, built once, as the demo app builds
// its own: GET / is the same 200, Content-Type, 13-byte body and Date
// header the demo app gives through net/http and the stages.
var (
	peerHello     = []byte("Hello, World!")
	peerTextPlain = []byte("text/plain; charset=utf-8")
	peerAllow     = []byte("GET, HEAD")
	peer405       = []byte("405 method not allowed\n")
	peer404       = []byte("404 page not found\n")
)

// NewFastHTTPServer returns the fasthttp server `learn bench --compare`
// measures. Its handler answers the routes a comparison sends: GET / the
// demo app's "Hello, World!" and GET /pid the process id (which an idle
// measurement asks for), and 404 or 405 otherwise. It is configured as
// fasthttp ships, except that it sends no Server header, which neither
// net/http nor the stages send: every server answers with the same bytes.
// Its idle connections never time out (no ReadTimeout nor IdleTimeout),
// as net/http's in `learn serve-net-http` do not.
func NewFastHTTPServer() *fasthttp.Server {
	return &fasthttp.Server{
		Handler:               serveFastHTTP,
		NoDefaultServerHeader: true,
	}
}

// serveFastHTTP is the peer's handler. fasthttp adds Date and
// Content-Length itself.
func serveFastHTTP(ctx *fasthttp.RequestCtx) {
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Response.Header.SetBytesV("Allow", peerAllow)
		peerText(ctx, fasthttp.StatusMethodNotAllowed, peer405)
		return
	}
	switch string(ctx.Path()) {
	case "/":
		peerText(ctx, fasthttp.StatusOK, peerHello)
	case "/pid":
		peerText(ctx, fasthttp.StatusOK, strconv.AppendInt(nil, int64(os.Getpid()), 10))
		ctx.Response.AppendBodyString("\n")
	default:
		peerText(ctx, fasthttp.StatusNotFound, peer404)
	}
}

func peerText(ctx *fasthttp.RequestCtx, code int, body []byte) {
	ctx.SetStatusCode(code)
	ctx.Response.Header.SetContentTypeBytes(peerTextPlain)
	ctx.SetBody(body)
}

// ServeFastHTTP serves the fasthttp peer on ln until ctx is done, then
// shuts it down gracefully within FastHTTPShutdownTimeout.
func ServeFastHTTP(ctx context.Context, ln net.Listener) error {
	srv := NewFastHTTPServer()
	stopped := make(chan error, 1)
	served := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-served:
			stopped <- nil
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), FastHTTPShutdownTimeout)
		defer cancel()
		stopped <- srv.ShutdownWithContext(sctx)
	}()
	err := srv.Serve(ln)
	close(served)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("fasthttp: %w", err)
	}
	if err := <-stopped; err != nil {
		return fmt.Errorf("fasthttp: shutdown: %w", err)
	}
	return nil
}
