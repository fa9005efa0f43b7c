package ch04

import "time"

// ResponseBufferSize is how many body bytes a Response holds before it
// must send its head. A handler that writes at most this much and returns
// gets a Content-Length; a longer body is chunked (or, for an HTTP/1.0
// client, close-delimited). net/http holds 2 KiB; 4 KiB covers more
// small JSON replies without costing more memory than one bufio buffer.
const ResponseBufferSize = 4 << 10 // 4 KiB

// DefaultReadHeaderTimeout bounds how long a client may take to send a
// request head, counted from the moment the connection is accepted. A
// client that connects and then sends nothing, or one byte a minute
// (slowloris), would otherwise hold a goroutine and a file descriptor for
// ever.
const DefaultReadHeaderTimeout = 10 * time.Second

// connBufferSize is the size of a connection's bufio.Reader and
// bufio.Writer (bufio's default): the reader holds a typical request head
// in one read, the writer a typical response in one write.
const connBufferSize = 4 << 10 // 4 KiB

// maxKeptHeadBuffer is the largest rendered-header buffer a Conn
// keeps; one grown by an unusually large response head is dropped, so a
// single big response does not pin its memory in the pool.
const maxKeptHeadBuffer = 16 << 10 // 16 KiB

// DefaultMaxBodyBytes is the request body limit of a Server whose
// Limits.MaxBodyBytes is zero. It is large, since handlers stream bodies
// (the demo's /upload hashes any size in constant memory), but not
// infinite: a Content-Length of a terabyte is refused with 413 before a
// byte of it is read, as chapters 2 and 3 refused it.
const DefaultMaxBodyBytes = 1 << 30 // 1 GiB
