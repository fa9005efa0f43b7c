// Package ch09 makes the server fast: chapter 5's keep-alive server, with
// the same settings, the same loop and the same behaviour on the wire,
// spending less CPU per request and less memory per idle connection.
//
// Chapters 1 to 8 build the server with the simplest correct code. This
// chapter measures it (go test -bench, pprof, strace) and rewrites the
// pieces the measurements point at, importing the rest:
//
//   - Parser reads a request head with one allocation: the head's lines
//     go into one reused buffer, are converted to one string, and are
//     checked by chapter 2's own rules, so both parsers give the same
//     verdict on every input (a fuzz target holds them to it).
//   - A request's context costs nothing until a handler asks for it:
//     lazyContext builds chapter 4's client watch (a cancellable context
//     and a goroutine reading the connection) on the first Done or Err.
//   - A kept-alive request costs three allocations, the floor under
//     http.Handler's promises: one exchange holds the Response, the
//     http.Request and its parts, the lazy context and, when it fits in
//     what would be padding, the head the request's strings are made
//     of; the header map is the other two.
//   - Buffers come from a pool: a connection takes chapter 4's Buffers
//     (reader, writer, response body, header map) when it starts and
//     gives them back when it closes.
//   - An idle connection holds no buffers: between requests it gives
//     them back and waits on the socket itself (idleReader), taking a set
//     again when the socket becomes readable.
//   - Idle timeouts are kept by a sweeper, one goroutine per server,
//     rather than a read deadline set and cleared for every request: a
//     connection notes the sweep its wait must not outlive, and the
//     sweep that reaches it ends the wait.
//   - ListenTCP sets TCP keep-alive once on the listening socket, where
//     the kernel copies it to every accepted one, instead of four system
//     calls per connection.
//   - HeapFloor paces the garbage collector: it keeps the heap goal at a
//     floor (32 MiB for the stage and final), so a server whose live heap
//     is small collects a few times a second instead of sixty.
//
// New wraps a *ch05.Server: its fields are the settings, its hooks see
// every connection, and chapter 7's Wrap shuts it down gracefully. final
// serves with it.
package ch09
