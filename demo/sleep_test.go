package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/httpfromscratch/course/internal/testkit"
)

// waitBound caps how long a test waits for something that should happen
// at once; it is a guard against hanging, never a readiness delay.
const waitBound = testkit.WaitBound

// TestSleepCancel proves /sleep stops waiting when the request's context
// is done, whether cancelled or past its deadline, and answers 503.
func TestSleepCancel(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, "GET", "/sleep?ms=60000", nil)
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			go func() {
				defer close(done)
				New().ServeHTTP(rec, req)
			}()
			select {
			case <-done:
			case <-time.After(waitBound):
				t.Fatalf("ServeHTTP(GET /sleep?ms=60000) with a done context still waiting after %v", waitBound)
			}
			if want := "503 sleep interrupted\n"; rec.Code != http.StatusServiceUnavailable || rec.Body.String() != want {
				t.Errorf("ServeHTTP(GET /sleep?ms=60000) = %d %q, want 503 %q", rec.Code, rec.Body.String(), want)
			}
		})
	}
}

// askedCtx is a context that reports, by closing asked, the first time
// its Done channel is asked for: when /sleep starts to wait on it.
type askedCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func (c *askedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}

// TestSleepWaits proves /sleep waits for its time, without timing it: a
// short sleep ends in 200 "slept N ms", and a long one is still waiting
// when the test cancels it, once the handler has begun to wait on its
// context, so it answers 503. A handler that answered at once, or gave up
// early on its own, would answer 200 "slept 60000 ms" instead.
func TestSleepWaits(t *testing.T) {
	rec := serve(t, httptest.NewRequest("GET", "/sleep?ms=20", nil))
	if rec.Code != 200 || rec.Body.String() != "slept 20 ms" {
		t.Errorf("ServeHTTP(GET /sleep?ms=20) = %d %q, want 200 %q", rec.Code, rec.Body.String(), "slept 20 ms")
	}

	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx := &askedCtx{Context: parent, asked: make(chan struct{})}
	req := httptest.NewRequestWithContext(ctx, "GET", "/sleep?ms=60000", nil)
	rec = httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		New().ServeHTTP(rec, req)
	}()
	select {
	case <-ctx.asked: // waiting: the test may cancel
	case <-done: // answered without waiting on the context: checked below
	case <-time.After(waitBound):
		t.Fatalf("ServeHTTP(GET /sleep?ms=60000) neither waits on its context nor answers after %v", waitBound)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(waitBound):
		t.Fatalf("ServeHTTP(GET /sleep?ms=60000) still waiting %v after its context was cancelled", waitBound)
	}
	if want := "503 sleep interrupted\n"; rec.Code != http.StatusServiceUnavailable || rec.Body.String() != want {
		t.Errorf("ServeHTTP(GET /sleep?ms=60000), cancelled while it waits = %d %q, want 503 %q", rec.Code, rec.Body.String(), want)
	}
}
