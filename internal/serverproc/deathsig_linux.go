package serverproc

import "syscall"

// setDeathSignal has the kernel kill the server when the process that
// started it dies (a checker killed, or stopped by a closed terminal's
// SIGHUP before it could stop its servers): no server is left behind
// holding a port. Its workers notice their master gone and follow.
func setDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
