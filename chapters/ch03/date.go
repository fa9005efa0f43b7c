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
// atomic.Pointer, never modified once stored, so readers take no lock. On
// the real clock the hot path is that one atomic load, with no clock read:
// when it formats a second, AppendDate sets a timer for the turn of the
// next one, and the timer drops the stamp, so the first call after it
// formats the new second. The Date may lag by as long as the timer runs
// late, and by up to a second after the wall clock is stepped; its
// resolution is a second anyway. While no response is written, no timer
// runs. At the turn of a second two goroutines may both format the new
// value; both results are correct and the last store wins.
//
// The zero value is ready to use and reads time.Now.
type DateCache struct {
	// Now is the clock, a seam tests replace with a fixed time: with it
	// set, every call reads it and compares the second, and no timer is
	// set. If nil, time.Now is used.
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
	if c.Now != nil {
		t := c.Now()
		d := c.cur.Load()
		if d == nil || d.unix != t.Unix() {
			d = c.store(t)
		}
		return append(dst, d.text...)
	}
	if d := c.cur.Load(); d != nil {
		return append(dst, d.text...) // this second's, until the timer drops it
	}
	t := time.Now()
	d := c.store(t)
	untilNextSecond := time.Second - time.Duration(t.Nanosecond())
	time.AfterFunc(untilNextSecond, func() { c.cur.CompareAndSwap(d, nil) })
	return append(dst, d.text...)
}

// store formats the second of t and makes it the cached one.
func (c *DateCache) store(t time.Time) *dateStamp {
	// http.TimeFormat is the IMF-fixdate layout; it needs UTC, spelled GMT.
	d := &dateStamp{unix: t.Unix(), text: t.UTC().AppendFormat(nil, http.TimeFormat)}
	c.cur.Store(d)
	return d
}

// dates is the cache AppendHead uses. Tests replace it with one on a fixed
// clock (see setClock in the tests) and restore it when they end.
var dates = new(DateCache)

// AppendDate appends the current time as an IMF-fixdate to dst, from the
// package's shared DateCache, and returns the extended slice.
func AppendDate(dst []byte) []byte {
	return dates.AppendDate(dst)
}
