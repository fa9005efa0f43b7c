//go:build !unix

package ch06

import "os"

// shareable returns the listener's descriptor as an *os.File. Only Unix
// passes descriptors to child processes (os/exec's ExtraFiles), so
// workers cannot start here anyway; this keeps the package building.
func shareable(fl filer) (*os.File, error) { return fl.File() }

// closeOnExec does nothing where workers cannot start.
func closeOnExec(int) {}
