package ch03

import (
	"net/http"
	"sync/atomic"
	"time"
)

// A DateCache formats the current time as an IMF-fixdate, the only Date
// format a server may send ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110
// section 5.6.7), at most once per second.
//
// Every response carries a Date (RFC 9110 section 6.6.1), and formatting a
// time costs more than the rest of a small response's header section. The
// value only changes once a second, so a busy server formats it once and
// copies the 29 bytes into every response of that second.
//
// A DateCache is safe for concurrent use: the formatted value sits behind an
// atomic.Pointer, so the hot path is one clock read and one atomic load, with
// no lock. At the turn of a second two goroutines may both format the new
// value; both results are correct and the last store wins.
//
// The zero value is ready to use and reads time.Now.
type DateCache struct {
	// Now is the clock, a seam tests replace with a fixed time.
	// If nil, time.Now is used.
	Now func() time.Time

	cur atomic.Pointer[dateStamp]
}

// dateStamp is one formatted second. It is never modified once stored, so
// readers need no lock.
type dateStamp struct {
	unix int64  // the second it was formatted for
	text []byte // IMF-fixdate of that second
}

// AppendDate appends the current time as an IMF-fixdate to dst and returns
// the extended slice. It formats the time only when the second has changed
// since the last call.
func (c *DateCache) AppendDate(dst []byte) []byte {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now()
	sec := t.Unix()
	d := c.cur.Load()
	if d == nil || d.unix != sec {
		// http.TimeFormat is the IMF-fixdate layout; it needs UTC, spelled GMT.
		d = &dateStamp{unix: sec, text: t.UTC().AppendFormat(nil, http.TimeFormat)}
		c.cur.Store(d)
	}
	return append(dst, d.text...)
}

// dates is the cache AppendHead uses. Tests replace it with one on a fixed
// clock (see setClock in the tests) and restore it when they end.
var dates = new(DateCache)

// AppendDate appends the current time as an IMF-fixdate to dst, from the
// package's shared DateCache, and returns the extended slice.
func AppendDate(dst []byte) []byte {
	return dates.AppendDate(dst)
}
