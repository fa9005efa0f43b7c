package serverproc

import "syscall"

// setDeathSignal has the kernel kill the server when the process that
// started it dies (a checker killed, or stopped by a closed terminal's
// SIGHUP before it could stop its servers): no server is left behind
// holding a port. Its workers notice their master gone and follow.
// Linux sends it when the thread that started the server exits, not the
// process (go.dev/issue/27505): nothing here starts servers from a
// goroutine locked to a thread that could exit.
func setDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
