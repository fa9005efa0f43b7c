// Package ch07 adds graceful shutdown: on SIGTERM or SIGINT a server stops
// accepting, closes its idle keep-alive connections at once, lets the
// requests in flight finish (their responses say "Connection: close"),
// and exits 0, within a timeout.
//
// Chapter 5's server already exposes what this needs, shaped like
// net/http's: a ConnState hook that reports each connection going New,
// Active, Idle, Hijacked and Closed, and SetKeepAlivesEnabled. Server
// wraps a ch05.Server, tracks its connections through the hook and adds
// Shutdown(ctx), with net/http's contract. Run ties Shutdown to a
// process's life: serve until asked to stop, shut down gracefully within
// a timeout, stop at once when asked a second time.
//
// With prefork (chapter 6) the master forwards the stop to its workers
// as SIGTERM, waits up to the same timeout, and kills the workers still
// running after it; each worker runs the same graceful Run.
package ch07
