// Package bench is the course's HTTP/1.1 load generator, the engine of
// `learn bench`.
//
// Run measures one server closed-loop: Config.Connections connections each
// send a GET (or a batch of Config.Pipeline pipelined GETs, RFC 9112
// section 9.3.2) as soon as the previous one is answered, for a duration
// or a number of requests, with keep-alive or a new connection per
// request. Compare starts several servers in processes of their own and
// measures them in alternating rounds under the same load, so a stage can
// be set beside net/http in one run. CompareIdle starts them one at a
// time instead, opens many keep-alive connections to each and leaves them
// idle, and reads what they cost the server in resident memory (VmRSS,
// Linux).
//
// The client must be cheaper than the servers it measures, or it measures
// itself. So it speaks HTTP over raw TCP: each connection writes a
// pre-built request, reads the status line and just enough headers to
// frame the body (Content-Length, chunked, or until close; RFC 9112
// section 6.3), and discards the body through its reused read buffer. Its
// loop on an open connection allocates nothing.
//
// Latencies go into a Histogram, an HdrHistogram (log-linear buckets in
// fixed memory), one per connection, merged at the end. A percentile read
// from it is at most RelativeError (1/128) above the exact percentile of
// the samples; min, max and mean are exact.
//
// Reports come as text (WriteSummary, WriteComparison, with a bar chart
// drawn in Unicode blocks, colored through a Palette the caller supplies)
// or JSON (WriteRunJSON, WriteComparisonJSON); Progress draws a progress
// bar on a terminal.
package bench
