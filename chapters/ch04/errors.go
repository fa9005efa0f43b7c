package ch04

import (
	"context"
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
	// the handler ran. It also matches context.Canceled (errors.Is), as
	// the cause of net/http's own cancelled request contexts does: an
	// outgoing call made with r.Context() returns the cause (http.Client
	// does), and code that tells a cancelled call from a failed one with
	// errors.Is(err, context.Canceled) sees a cancel.
	ErrClientGone error = clientGoneError{}

	// ErrBadTarget is returned by NewRequest and Conn.NewRequest when the
	// request-target cannot be parsed as a URL. The request deserves 400
	// (ch02.StatusCode says so).
	ErrBadTarget = errors.New("ch04: request-target is not a valid URL")

	// ErrFinished is returned by Response.Write, Flush and Hijack once the
	// response has been finished: the handler returned, and the
	// ResponseWriter may no longer be used.
	ErrFinished = errors.New("ch04: response already finished")
)

// clientGoneError is ErrClientGone's type: a cancellation, with the
// reason in its message.
type clientGoneError struct{}

func (clientGoneError) Error() string { return "ch04: client closed the connection" }

// Unwrap makes errors.Is(ErrClientGone, context.Canceled) true.
func (clientGoneError) Unwrap() error { return context.Canceled }
