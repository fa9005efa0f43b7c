package harness

import (
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// stateKey finds a script's state in testscript's per-script values.
type stateKey struct{}

// state is what one script has open: its server and its connections.
type state struct {
	target Target
	env    []string // the script's environment at setup
	server *server
	conns  map[string]*conn
}

func scriptState(ts *testscript.TestScript) *state {
	return ts.Value(stateKey{}).(*state)
}

// Params returns testscript parameters that run files against target with
// the harness commands installed. The caller may add its own Setup; it runs
// after the harness's.
func Params(target Target, files []string) testscript.Params {
	return testscript.Params{
		Files: files,
		Setup: func(env *testscript.Env) error {
			st := &state{target: target, env: append([]string(nil), env.Vars...), conns: map[string]*conn{}}
			env.Values[stateKey{}] = st
			env.Defer(st.cleanup)
			return nil
		},
		Cmds:                Commands(),
		RequireExplicitExec: true,
	}
}

// cleanup closes every connection and kills the server if a script left it
// running, so no check leaves a process or socket behind.
func (st *state) cleanup() {
	for _, c := range st.conns {
		c.Close()
	}
	if st.server != nil {
		st.server.kill()
	}
}

// getenv reads a variable from the script's environment at setup.
func (st *state) getenv(key string) string {
	for i := len(st.env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(st.env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Commands returns the harness's script commands by name:
//
//	start [flags...]            start the server under test, wait until it accepts; sets HOST, PORT
//	stop                        SIGINT, wait for exit, print the server's output; fails on a non-zero status (! stop expects one)
//	output                      print what the server has written to stdout and stderr so far
//	kill [-SIG]                 send a signal (default TERM), do not wait
//	send [-c NAME] TEXT         write TEXT (escapes decoded) on connection NAME, dialing it first
//	sendfile [-c NAME] FILE     write a file's bytes as they are
//	shutwrite [-c NAME]         half-close our side of the connection
//	response [-c NAME] [-head]  read one HTTP response and print it, Date normalized
//	recv [-c NAME] [-n N] [-hex]  read N bytes, or until the server closes, and print them
//	closed [-c NAME]            assert the server closes the connection, sending nothing more
//	echo-check [-conns N] [-size B] [-halfclose]  concurrent echo round trips with random bytes
func Commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"start":      cmdStart,
		"stop":       cmdStop,
		"output":     cmdOutput,
		"kill":       cmdKill,
		"send":       cmdSend,
		"sendfile":   cmdSendFile,
		"shutwrite":  cmdShutWrite,
		"response":   cmdResponse,
		"recv":       cmdRecv,
		"closed":     cmdClosed,
		"echo-check": cmdEchoCheck,
	}
}
