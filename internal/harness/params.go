package harness

import (
	"fmt"
	"runtime/debug"

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
		Condition:           condition,
		RequireExplicitExec: true,
	}
}

// condition answers the script conditions the harness adds to
// testscript's own: [race], true when the checks run in a binary built
// with the race detector (go test -race), where a script may ask less of
// a machine that is several times slower and hungrier.
func condition(cond string) (bool, error) {
	if cond != "race" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false, nil
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true", nil
		}
	}
	return false, nil
}

// cleanup closes every connection and kills the server if a script left it
// running, so no check leaves a process or socket behind.
func (st *state) cleanup() {
	for _, c := range st.conns {
		c.Close()
	}
	if st.server != nil {
		st.server.Kill()
		st.server.closeOutput()
		st.target.Group.Remove(st.server.Process)
	}
}

// Commands returns the harness's script commands by name:
//
//	start [flags...]            start the server under test, wait until it accepts; sets HOST, PORT
//	interrupt                   SIGINT (Ctrl+C), wait for exit, print the server's output; fails on a non-zero status (! interrupt expects one)
//	output                      print what the server has written to stdout and stderr so far
//	signal [SIG]                send a signal (default TERM: INT, KILL, HUP, USR1, TTIN, ...), do not wait
//	send [-c NAME] TEXT         write TEXT (escapes decoded) on connection NAME, dialing it first
//	sendfile [-c NAME] FILE     write a file's bytes as they are
//	shutwrite [-c NAME]         half-close our side of the connection
//	response [-c NAME] [-head]  read one HTTP response and print it, Date normalized
//	recv [-c NAME] [-n N] [-hex]  read N bytes, or until the server closes, and print them
//	closed [-c NAME]            assert the server closes the connection, sending nothing more
//	echo-check [-conns N] [-size B] [-halfclose]  concurrent echo round trips with random bytes
//	cmpbody [-framed] FILE WANTFILE  compare a response's body with a file, byte for byte (-framed: chunks as printed, each size in lower-case hex without leading zeros)
//	cmpjson FILE WANTFILE       compare two JSON documents as values (spacing, escaping, member order aside); an HTTP response in FILE is compared by its body
//	waitexit                    wait for the server to exit; fails unless status 0 (! waitexit wants non-zero)
//	refused [-within D]         assert the server refuses new connections (its listener closed) within D (10s)
//	waitlog [-count N] REGEXP   wait until the server's output matches
//	loglines [-count N] REGEXP FILE  exactly N lines of FILE match (grep -count's count); a failure shows lines that do not
//	waitfile PATH               wait until a file exists
//	getpid VAR                  GET /pid on a new connection; set VAR to the answer
//	pids N                      GET /pid until N different processes answered (never the master)
//	killpid [-SIG] PID          signal one of the server's processes
//	waitgone PID                wait until a process has exited
//	burst [-n N] [-c C] [PATH]  N keep-alive GETs over C connections at once, all 2xx
//	gencert DIR                 write a self-signed certificate for 127.0.0.1 to DIR/cert.pem and DIR/key.pem
//	tlsget [-ca FILE] PATH...   GET each PATH over HTTPS trusting FILE (default cert.pem); print status, ALPN, reuse, body
//	loadsignal [-c C] [-d DUR] [-signal SIG | -kill PID] [-at F] [-stopping] [-max-failures N] [-gone PID]... [PATH]  C keep-alive clients for DUR, a signal at F; no failure
//	waitworkers N               wait until exactly N processes answer GET /pid
//	untilclose [-max N] [PATH]  keep-alive GETs until a response says Connection: close; print how many
//	startfail [flags...]        run the server with a command line it must refuse: non-zero exit; print its output
//	slowloris [-n N] [-every DUR] [-timeout DUR] [PATH]  N connections send a head a byte per DUR; GET PATH served meanwhile; all closed at -timeout; print latencies
//	holdconns [-n N] [PATH]     N keep-alive connections with a GET each, held at once, all 2xx, then a second GET on each; print the worker's RSS; closes them all at once at the end
//	unixget PATH URLPATH        GET URLPATH over the Unix socket PATH (waiting for it to listen); print status line and body
func Commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"start":      cmdStart,
		"interrupt":  cmdInterrupt,
		"output":     cmdOutput,
		"signal":     cmdSignal,
		"send":       cmdSend,
		"sendfile":   cmdSendFile,
		"shutwrite":  cmdShutWrite,
		"response":   cmdResponse,
		"recv":       cmdRecv,
		"closed":     cmdClosed,
		"echo-check": cmdEchoCheck,
		"cmpjson":    cmdCmpJSON,
		"cmpbody":    cmdCmpBody,
		"waitexit":   cmdWaitExit,
		"refused":    cmdRefused,
		"waitlog":    cmdWaitLog,
		"loglines":   cmdLogLines,
		"waitfile":   cmdWaitFile,
		"getpid":     cmdGetPid,
		"pids":       cmdPids,
		"killpid":    cmdKillPid,
		"waitgone":   cmdWaitPidGone,
		"burst":      cmdBurst,

		"gencert":     cmdGenCert,
		"tlsget":      cmdTLSGet,
		"loadsignal":  cmdLoadSignal,
		"waitworkers": cmdWaitWorkers,
		"untilclose":  cmdUntilClose,
		"startfail":   cmdStartFail,
		"slowloris":   cmdSlowloris,
		"holdconns":   cmdHoldConns,
		"unixget":     cmdUnixGet,
	}
}
