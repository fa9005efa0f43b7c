//go:build !unix

package proc

// Descendant knows only root itself here.
func Descendant(pid, root int) bool { return pid == root }
