// Package ch05 keeps HTTP/1.1 connections open for request after request.
//
// Chapter 4 served one request per connection and closed it. This
// chapter keeps chapter 4's request and response bridge (ch04.Conn,
// ch04.Serve, ch04.Response) and replaces only the loop around it:
// Server.ServeConn reads a request, runs the handler, finishes the
// response, and goes round again for as long as the connection may
// persist. Saving the TCP handshake, and on a real network one round trip
// per request, is the point; the rules below are what it takes to do it
// without mixing up two requests.
//
// # When a connection persists
//
// One function, keepAlive, decides, from RFC 9112 section 9.3: an
// HTTP/1.1 connection persists unless the request or the response says
// "Connection: close"; an HTTP/1.0 one only when the request says
// "Connection: keep-alive", which the response then echoes (chapter 4's
// Response writes it). It also closes when the response cannot be framed
// without closing (an HTTP/1.0 client and no Content-Length), when the
// response was cut short by a panic, when a write failed, when the
// request body was not read to its end, when Server.MaxRequestsPerConn
// requests were served, and while keep-alives are turned off
// (Server.SetKeepAlivesEnabled). The decision is taken twice: before the
// handler runs, so that the head of a streamed response already says
// "Connection: close"; and after, when the rest is known.
//
// # Pipelining
//
// A client may send several requests without waiting for the responses
// (RFC 9112 section 9.3.2); the server answers them in order. The
// bufio.Reader already holds the next request when the current response
// is finished, so the loop does not flush: the responses pile up in the
// bufio.Writer and leave in one write, one system call for several
// responses. It flushes when no complete request head is waiting: half a
// head is not enough, as the client may be waiting for this response
// before it sends the rest. The price of batching is that a response
// waits in the buffer while the handler of the next pipelined request
// runs; pipelining clients read responses in order anyway.
//
// # Timeouts
//
// Two deadlines guard each turn of the loop. Server.IdleTimeout bounds
// the wait for the first byte of the next request (RFC 9112 section 9.5:
// a server may close an idle connection; it does so without a word).
// Server.ReadHeaderTimeout then bounds the head, from that first byte:
// the slowloris attack, which holds connections open by sending a header
// line every few seconds, gets 408 Request Timeout and a close. The
// handler runs with no deadline of the server's.
//
// # The body a handler did not read
//
// The next request starts where this one's body ends, so a body the
// handler left unread must be read before the connection can be reused.
// The server drains it, up to Server.MaxDrainBytes (256 KiB by default,
// net/http's figure); a body with more left, known in advance from its
// Content-Length or found while reading chunks, closes the connection
// instead, and the response says so when its head is still unwritten.
// A client that stops sending halfway cannot hold the connection either:
// draining runs under Server.ReadHeaderTimeout.
//
// # Expect: 100-continue
//
// A client with a large body may ask the server first (RFC 9110 section
// 10.1.1): it sends the head with "Expect: 100-continue" and waits. The
// server answers "HTTP/1.1 100 Continue" at the moment the handler first
// reads the body, and not at all if the handler answers without reading
// it (a 401, a 413); then the connection closes, since the client never
// sent the body and the server cannot know whether it will. Any other
// expectation gets 417 Expectation Failed.
//
// # What an idle connection costs
//
// A keep-alive server spends most of its connections' lives waiting. Here
// an idle connection keeps what it had while busy: its goroutine, and
// chapter 4's Conn with its buffers (4 KiB each for the reader, the
// writer and the response body), about 17 KiB in all, as with net/http
// (BenchmarkIdleConn measures it). Chapter 9 makes an idle connection
// hold no buffers at all, through ServeConnWith's ConnManager.
//
// # Hooks for the chapters after
//
// ConnState reports each connection's state with net/http's values
// (StateNew, StateActive, StateIdle, StateHijacked, StateClosed): chapter
// 7's graceful shutdown closes the idle ones and waits for the active
// ones. OnResponse is called once per finished response: chapter 8's
// access log. Close stops everything at once.
package ch05
