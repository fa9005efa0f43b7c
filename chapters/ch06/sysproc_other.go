//go:build !linux

package ch06

import "syscall"

// workerSysProcAttr has no parent-death signal outside Linux; the lifeline
// pipe (WatchMaster) is what ends orphaned workers there.
func workerSysProcAttr() *syscall.SysProcAttr { return nil }
