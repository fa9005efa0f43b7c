// Package harness runs the course's over-the-wire checks: testscript
// scripts that start a server under test, talk raw TCP to it and compare
// what comes back.
//
// The same scripts check the built-in stages (`go test ./chapters/...`,
// `learn test chNN`) and a learner's own server in any language
// (`learn check chNN -- COMMAND`): a script never names the server, it says
// `start`, and the Target decides what runs. The commands a script can use
// are listed in Commands; escapes in sent text are decoded by Unescape.
//
// Before a script's first step, `start` waits until the server accepts a
// connection: the readiness probe (serverproc.Probe) opens one, sends
// nothing and closes it, as any client may (RFC 9112 section 9.3). A
// server must survive that; a failure shows what it printed until then
// apart from what it printed during the check.
package harness
