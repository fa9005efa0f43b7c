package ch03

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// setClock makes AppendHead's Date read a fixed time until the test ends.
func setClock(t *testing.T, now time.Time) {
	t.Helper()
	old := dates
	dates = &DateCache{Now: func() time.Time { return now }}
	t.Cleanup(func() { dates = old })
}

// fixedTime is the example date of RFC 9110 section 5.6.7.
var fixedTime = time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)

func TestDateCacheFormat(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"rfc example", fixedTime, "Sun, 06 Nov 1994 08:49:37 GMT"},
		{"local zone converted to GMT", time.Date(1994, time.November, 6, 10, 49, 37, 0, time.FixedZone("CEST", 2*3600)), "Sun, 06 Nov 1994 08:49:37 GMT"},
		{"fraction dropped", fixedTime.Add(999 * time.Millisecond), "Sun, 06 Nov 1994 08:49:37 GMT"},
		{"single-digit day padded", time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC), "Sun, 01 Mar 2026 00:00:00 GMT"},
		{"leap day", time.Date(2028, time.February, 29, 23, 59, 59, 0, time.UTC), "Tue, 29 Feb 2028 23:59:59 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &DateCache{Now: func() time.Time { return tt.now }}
			got := string(c.AppendDate(nil))
			if got != tt.want {
				t.Fatalf("AppendDate at %v = %q, want %q", tt.now, got, tt.want)
			}
			// net/http's own parser must read it back as the same second.
			back, err := http.ParseTime(got)
			if err != nil || !back.Equal(tt.now.Truncate(time.Second)) {
				t.Errorf("http.ParseTime(%q) = %v, %v, want %v", got, back, err, tt.now.Truncate(time.Second))
			}
		})
	}
}

func TestDateCacheRefresh(t *testing.T) {
	now := fixedTime
	c := &DateCache{Now: func() time.Time { return now }}

	steps := []struct {
		name      string
		now       time.Time
		want      string
		reformats bool
	}{
		{"first call formats", fixedTime, "Sun, 06 Nov 1994 08:49:37 GMT", true},
		{"same second is cached", fixedTime.Add(500 * time.Millisecond), "Sun, 06 Nov 1994 08:49:37 GMT", false},
		{"next second refreshes", fixedTime.Add(time.Second), "Sun, 06 Nov 1994 08:49:38 GMT", true},
		{"still that second", fixedTime.Add(1999 * time.Millisecond), "Sun, 06 Nov 1994 08:49:38 GMT", false},
		{"clock stepped back refreshes", fixedTime, "Sun, 06 Nov 1994 08:49:37 GMT", true},
	}
	for _, s := range steps {
		before := c.cur.Load()
		now = s.now
		got := string(c.AppendDate(nil))
		if got != s.want {
			t.Errorf("%s: AppendDate at %v = %q, want %q", s.name, s.now, got, s.want)
		}
		if reformatted := c.cur.Load() != before; reformatted != s.reformats {
			t.Errorf("%s: reformatted = %v, want %v", s.name, reformatted, s.reformats)
		}
	}
}

func TestDateCacheNoAllocWhenCached(t *testing.T) {
	c := &DateCache{Now: func() time.Time { return fixedTime }}
	buf := make([]byte, 0, 64)
	c.AppendDate(buf)
	if n := testing.AllocsPerRun(100, func() { buf = c.AppendDate(buf[:0]) }); n != 0 {
		t.Errorf("AppendDate on a cached second: %v allocations, want 0", n)
	}
}

// TestDateCacheOnTheRealClock checks the cache without a Now: the first
// call formats the current second, and the timer it sets drops that
// second once it is over, so a later call formats the next one.
func TestDateCacheOnTheRealClock(t *testing.T) {
	var c DateCache
	before := time.Now().Truncate(time.Second)
	first := string(c.AppendDate(nil))
	after := time.Now().Truncate(time.Second)
	got, err := http.ParseTime(first)
	if err != nil || got.Before(before) || got.After(after) {
		t.Fatalf("first AppendDate = %q (%v), want a second from %v to %v", first, err, before, after)
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = c.AppendDate(buf[:0]) }); n != 0 {
		t.Errorf("AppendDate on a cached second: %v allocations, want 0", n)
	}
	// The next second begins within one; give the timer two more, for a
	// machine under load.
	deadline := time.Now().Add(3 * time.Second)
	for {
		next := string(c.AppendDate(nil))
		if next != first {
			got, err := http.ParseTime(next)
			if now := time.Now(); err != nil || !got.After(after) || got.After(now) {
				t.Fatalf("AppendDate after the turn of the second = %q (%v), want a second after %v, not after %v", next, err, after, now)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("AppendDate still says %q at %v: the cached second was never dropped", first, time.Now().UTC())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDateCacheConcurrent has many goroutines read the cache while the
// clock ticks; run with -race it proves the hot path needs no lock.
func TestDateCacheConcurrent(t *testing.T) {
	var tick atomic.Int64
	c := &DateCache{Now: func() time.Time { return fixedTime.Add(time.Duration(tick.Add(1)/50) * time.Second) }}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			buf := make([]byte, 0, 32)
			for range 500 {
				buf = c.AppendDate(buf[:0])
				if _, err := http.ParseTime(string(buf)); err != nil {
					t.Errorf("AppendDate = %q, not an IMF-fixdate: %v", buf, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
