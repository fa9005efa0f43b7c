// Package ch08 writes an access log: one line per request, after its
// response, in the console's short form or in Apache's Common and Combined
// Log Formats, or as JSON.
//
// A log line is formatted into a reused buffer with no allocation, and
// lines are buffered, but never torn: the Logger writes whole lines only,
// at most PipeBuf bytes per write, so lines from many worker processes
// sharing one file (opened O_APPEND) or one pipe never interleave. The
// buffer is flushed every DefaultFlushInterval and on Close, so a graceful
// shutdown loses nothing; Reopen closes and reopens the file, which is
// what logrotate asks for with SIGUSR1. On a terminal, where someone
// watches, OpenAccessLog writes each line at once instead
// (SetFlushEachLine).
//
// Colors are not this package's business: the console format calls the
// Logger's StatusStyle hook, which the learn CLI fills with fatih/color
// when the output is a terminal.
package ch08
