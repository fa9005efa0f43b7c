package ch03

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/httpfromscratch/course/chapters/ch01"
	"github.com/httpfromscratch/course/chapters/ch02"
)

// helloBody is what GET / answers.
const helloBody = "Hello, World!"

// allowRoot lists the methods "/" supports, for the Allow field a 405 must
// carry (RFC 9110 section 15.5.6).
const allowRoot = "GET, HEAD"

// Handler is chapter 3's ch01.ConnHandler: it reads one request with
// chapter 2's parser, answers it, and closes the connection.
//
// Routes: GET and HEAD on "/" answer 200 "Hello, World!"; any other method
// on "/" answers 405 with "Allow: GET, HEAD"; any other path answers 404. A
// request the parser rejects gets the status of its error (400, 413, 414,
// 431, 501, 505) from WriteError. The request's body is read to its end
// first, through chapter 2's framing, so a malformed chunked body or one
// over Limits.MaxBodyBytes is rejected here as it was in chapter 2.
type Handler struct {
	// Limits bounds each request; zero fields take chapter 2's defaults.
	// If Limits.MaxBodyBytes is zero, ch02.DefaultMaxDumpBody is used, as
	// in chapter 2: this server drops the body instead of holding it, but
	// it keeps chapter 2's answer to an oversized one (413).
	Limits ch02.Limits
	// Logf reports each request and its status, rejections, write errors
	// and panics. If nil, nothing is logged.
	Logf ch01.Logf
}

// NewServer returns a chapter 1 server that listens on addr and serves
// every connection with a Handler.
func NewServer(addr string, lim ch02.Limits, logf ch01.Logf) *ch01.Server {
	return &ch01.Server{Addr: addr, Handler: &Handler{Limits: lim, Logf: logf}, Logf: logf}
}

// ServeConn serves one request on c, then closes c.
func (h *Handler) ServeConn(c net.Conn) {
	defer func() {
		if p := recover(); p != nil {
			h.logf("ch03: %v: panic serving connection: %v\n%s", c.RemoteAddr(), p, debug.Stack())
		}
		ch02.LingerClose(c)
	}()

	br := bufio.NewReader(c)
	bw := bufio.NewWriter(c)
	r := ch02.Parser{Limits: h.Limits}
	if r.Limits.MaxBodyBytes <= 0 {
		r.Limits.MaxBodyBytes = ch02.DefaultMaxDumpBody
	}
	req, err := r.ReadRequest(br)
	if err == nil {
		// The routes never need the body, but reading it is what finds
		// the errors in its framing, and leaves no unread input behind.
		_, err = io.Copy(io.Discard, req.Body)
	}

	switch {
	case err == io.EOF:
		return // closed before a request: nobody to answer
	case isNetError(err):
		h.logf("ch03: %v: read: %v", c.RemoteAddr(), err)
		return // the connection broke or timed out: an answer would not arrive
	case err != nil:
		h.logf("ch03: %v: rejected with %d: %v", c.RemoteAddr(), ch02.StatusCode(err), err)
		err = WriteError(bw, err)
	default:
		resp := route(req)
		h.logf("ch03: %v: %s %s %s: %d", c.RemoteAddr(), req.Method, req.Target, req.Proto, resp.StatusCode)
		err = WriteResponse(bw, req, &resp)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		h.logf("ch03: %v: write: %v", c.RemoteAddr(), err)
	}
}

// route answers a request that parsed.
func route(req *ch02.Request) Response {
	if requestPath(req.Target) != "/" {
		return textResponse(http.StatusNotFound, http.StatusText(http.StatusNotFound)+"\n")
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		return textResponse(http.StatusOK, helloBody)
	}
	resp := textResponse(http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed)+"\n")
	resp.Header = []ch02.Field{{Name: "Allow", Value: allowRoot}}
	return resp
}

// textResponse is a text/plain response that closes the connection, as
// every response in this chapter does.
func textResponse(code int, body string) Response {
	return Response{StatusCode: code, Body: []byte(body), Close: true}
}

// requestPath returns the path of a request-target (RFC 9112 section 3.2):
// the origin-form "/where?q" gives "/where", the absolute-form
// "http://host/where?q" gives "/where" too (a server must accept it, RFC
// 9112 section 3.2.2), and "http://host" gives "/", since an empty path
// means "/" (RFC 9110 section 4.2.3). The authority-form of CONNECT and
// the asterisk-form of OPTIONS have no path and come back as they are.
func requestPath(target string) string {
	if !strings.HasPrefix(target, "/") {
		scheme, rest, ok := strings.Cut(target, "://")
		if !ok || scheme == "" {
			return target
		}
		i := strings.IndexAny(rest, "/?")
		if i < 0 || rest[i] == '?' {
			return "/"
		}
		target = rest[i:]
	}
	path, _, _ := strings.Cut(target, "?")
	return path
}

// isNetError reports whether err is the connection failing (reset,
// timeout, closed) rather than the client sending a bad request.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed)
}

func (h *Handler) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}
