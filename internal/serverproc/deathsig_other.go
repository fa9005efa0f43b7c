//go:build unix && !linux

package serverproc

import "syscall"

// setDeathSignal does nothing where the kernel has no parent-death
// signal for it: a checker that is killed leaves its server running.
func setDeathSignal(*syscall.SysProcAttr) {}
