package ch04

// This file holds what chapter 5's connection loop needs from a Response
// beyond what chapter 4's one-request loop used.

// CloseAfter marks the connection to be closed after this response. If
// the head has not been written yet, it says "Connection: close" (RFC 9112
// section 9.6); MustClose reports true from now on.
//
// A keep-alive loop decides some reasons to close only once the handler
// has returned, when the head is usually still in the Response's buffer:
// the handler left more of the request body unread than the loop is
// willing to discard, or keep-alives were turned off while it ran. Saying
// so in the head spares the client a request sent on a connection about
// to close.
func (w *Response) CloseAfter() { w.closeAfter = true }
