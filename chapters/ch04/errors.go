package ch04

import (
	"errors"

	"github.com/httpfromscratch/course/chapters/ch01"
)

var (
	// ErrServerClosed is returned by Server.Serve and
	// Server.ListenAndServe after Server.Close. It is chapter 1's error,
	// so errors.Is works with either name.
	ErrServerClosed = ch01.ErrServerClosed

	// ErrClientGone is the cause (context.Cause) of a request context
	// cancelled because the client closed or reset its connection while
	// the handler ran.
	ErrClientGone = errors.New("ch04: client closed the connection")

	// ErrBadTarget is returned by NewRequest and Conn.NewRequest when the
	// request-target cannot be parsed as a URL. The request deserves 400
	// (ch02.StatusCode says so).
	ErrBadTarget = errors.New("ch04: request-target is not a valid URL")

	// ErrFinished is returned by Response.Write, Flush and Hijack once the
	// response has been finished: the handler returned, and the
	// ResponseWriter may no longer be used.
	ErrFinished = errors.New("ch04: response already finished")
)
