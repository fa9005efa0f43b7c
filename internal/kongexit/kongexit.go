// Package kongexit lets a command built on kong return its exit status
// instead of calling os.Exit: kong exits by itself after --help, which
// would end a test, or skip a caller's deferred clean-up. With Option,
// kong's exit panics with the status; a deferred Recover turns that panic
// back into the function's result.
//
//	func run(args []string) (code int) {
//		parser := kong.Must(&cli, kongexit.Option())
//		defer kongexit.Recover(&code)
//		...
//	}
package kongexit

import "github.com/alecthomas/kong"

// status is what Option's exit panics with.
type status int

// Option makes kong's exits panic with the exit status.
func Option() kong.Option {
	return kong.Exit(func(code int) { panic(status(code)) })
}

// Recover, deferred, sets *code to the status of an exit Option turned
// into a panic, and lets any other panic go on.
func Recover(code *int) {
	if r := recover(); r != nil {
		s, ok := r.(status)
		if !ok {
			panic(r)
		}
		*code = int(s)
	}
}
