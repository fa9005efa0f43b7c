package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// waitBound caps how long a test waits for something that should happen
// at once; it is a guard against hanging, never a readiness delay.
const waitBound = 10 * time.Second

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

// TestSleepWaits proves /sleep waits at least the time asked for.
func TestSleepWaits(t *testing.T) {
	start := time.Now()
	rec := serve(t, httptest.NewRequest("GET", "/sleep?ms=20", nil))
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond {
		t.Errorf("ServeHTTP(GET /sleep?ms=20) returned after %v, want at least 20ms", elapsed)
	}
	if rec.Code != 200 || rec.Body.String() != "slept 20 ms" {
		t.Errorf("ServeHTTP(GET /sleep?ms=20) = %d %q, want 200 %q", rec.Code, rec.Body.String(), "slept 20 ms")
	}
}
