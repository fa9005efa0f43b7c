// Package learn is the learn command line: list the course's stages, read
// their lessons, run them, and test them over the wire.
//
// It lives outside cmd/learn so that tests can run the whole CLI in-process
// (testscript.Main installs it as the `learn` command inside scripts);
// cmd/learn only calls Main. This is the only place that wires colors,
// signals and real writers: the chapters take a Logf and never print.
package learn
