// Package ch01 is a raw TCP echo server: the accept loop every later chapter
// builds on.
//
// Nothing here knows about HTTP yet. The package listens on a TCP port,
// accepts connections in a loop, and gives each connection its own goroutine
// that copies every byte it reads straight back to the sender. When the client
// shuts down its write side (a TCP half-close, FIN), the server finishes
// echoing what it already read, shuts down its own write side and closes.
//
// The Server type is reused by later chapters: its Handler field takes any
// ConnHandler, so ch02 plugs an HTTP parser into the same accept loop. The
// accept loop backs off on temporary errors such as running out of file
// descriptors (EMFILE) instead of spinning, and Close stops it with
// ErrServerClosed, the same contract as net/http.
package ch01
