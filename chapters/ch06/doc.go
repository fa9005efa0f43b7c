// Package ch06 runs a server as a master process and N worker processes
// that share one listening socket: the prefork model of Gunicorn, Apache
// and nginx.
//
// Go cannot fork(2) a running runtime (its threads would not come along),
// so the master re-executes its own binary once per worker. The listening
// socket travels to each worker as an inherited file descriptor
// (exec.Cmd.ExtraFiles: it becomes fd 3), and an environment marker tells
// the new process it is a worker. Every worker calls accept on the same
// socket; the kernel hands each new connection to one of them.
//
// The master supervises: a worker that dies is logged with its exit status
// and replaced; a worker that keeps dying right after it starts (a crash
// loop) stops the master with one clear error instead of spinning. No
// worker outlives its master: on Linux each worker asks the kernel for a
// signal when its parent dies (PR_SET_PDEATHSIG), and everywhere it also
// watches a pipe whose write end only the master holds (fd 4): when the
// master dies, for any reason, the pipe reads EOF.
//
// What a worker serves is not this package's business: the learn CLI runs
// chapter 5's keep-alive server in each one.
package ch06
