package bench

import "github.com/httpfromscratch/course/internal/proc"

// raiseFileLimit raises this process's limit on open files for an idle
// measurement that needs need of them, or says why it cannot, as a
// *ConfigError.
func raiseFileLimit(need int) error {
	if err := proc.RaiseFileLimit(need); err != nil {
		return badConfig("--idle %d: %v", need-FileHeadroom, err)
	}
	return nil
}
