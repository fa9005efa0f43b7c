package ch05

import "errors"

var (
	// ErrHeaderTimeout is the cause of the 408 Request Timeout a client
	// gets when it starts a request and does not finish its head within
	// Server.ReadHeaderTimeout. ch02.StatusCode of the error the server
	// answers with is 408.
	ErrHeaderTimeout = errors.New("ch05: request head not received within the read-header timeout")
)
