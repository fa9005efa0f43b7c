package notes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDecodeText(t *testing.T) {
	const wantJSON = `want a JSON object such as {"text":"buy milk"}`
	long := strings.Repeat("a", MaxBytes-len(`{"text":""}`))
	tests := []struct {
		name       string
		body       string
		want       string
		wantStatus int // 0: no error
		wantMsg    string
	}{
		{"note", `{"text":"buy milk"}`, "buy milk", 0, ""},
		{"text kept as sent", `{"text":"  buy milk\n"}`, "  buy milk\n", 0, ""},
		{"other fields ignored", `{"id":7,"text":"x","done":true}`, "x", 0, ""},
		{"what follows the object is not read", `{"text":"x"} and more`, "x", 0, ""},
		{"MaxBytes exactly", `{"text":"` + long + `"}`, long, 0, ""},
		{"one byte over MaxBytes", `{"text":"a` + long + `"}`, "", http.StatusRequestEntityTooLarge, fmt.Sprintf("a note is at most %d bytes", MaxBytes)},
		{"far over MaxBytes", `{"text":"` + strings.Repeat("a", 2*MaxBytes) + `"}`, "", http.StatusRequestEntityTooLarge, "a note is at most 4096 bytes"},
		{"empty body", ``, "", http.StatusBadRequest, wantJSON},
		{"cut short", `{"text":`, "", http.StatusBadRequest, wantJSON},
		{"not an object", `[1]`, "", http.StatusBadRequest, wantJSON},
		{"text not a string", `{"text":5}`, "", http.StatusBadRequest, wantJSON},
		{"no text", `{}`, "", http.StatusBadRequest, "text is required"},
		{"null", `null`, "", http.StatusBadRequest, "text is required"},
		{"blank text", `{"text":" \t"}`, "", http.StatusBadRequest, "text is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/notes", strings.NewReader(tt.body))
			got, err := DecodeText(httptest.NewRecorder(), r)
			if tt.wantStatus == 0 {
				if err != nil || got != tt.want {
					t.Fatalf("DecodeText(%q) = %q, %v, want %q, nil", short(tt.body), short(got), err, short(tt.want))
				}
				return
			}
			if err == nil || err.Status != tt.wantStatus || err.Message != tt.wantMsg || got != "" {
				t.Fatalf("DecodeText(%q) = %q, %+v, want \"\", &{%d %s}", short(tt.body), short(got), err, tt.wantStatus, tt.wantMsg)
			}
		})
	}
}

// TestReadText feeds ReadText the errors a framework's decoder returns
// (Gin's ShouldBindJSON hands on encoding/json's and the body's own).
func TestReadText(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantMsg    string
	}{
		{"body over its limit", &http.MaxBytesError{Limit: 10}, http.StatusRequestEntityTooLarge, "a note is at most 10 bytes"},
		{"limit error wrapped", fmt.Errorf("binding: %w", &http.MaxBytesError{Limit: MaxBytes}), http.StatusRequestEntityTooLarge, "a note is at most 4096 bytes"},
		{"syntax error", &json.SyntaxError{}, http.StatusBadRequest, `want a JSON object such as {"text":"buy milk"}`},
		{"no error, no text", nil, http.StatusBadRequest, "text is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadText(func(any) error { return tt.err })
			if err == nil || err.Status != tt.wantStatus || err.Message != tt.wantMsg || got != "" {
				t.Fatalf("ReadText(%v) = %q, %+v, want \"\", &{%d %s}", tt.err, got, err, tt.wantStatus, tt.wantMsg)
			}
		})
	}
}

// short cuts a long body or text down for a failure message.
func short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:40], len(s))
	}
	return s
}

func TestStore(t *testing.T) {
	var s Store // the zero Store is ready to use
	if got := s.List(); got == nil || len(got) != 0 {
		t.Fatalf("empty List() = %#v, want an empty, non-nil slice", got)
	}
	if _, ok := s.Get(1); ok {
		t.Fatal("empty Get(1) found a note")
	}
	if s.Delete(1) {
		t.Fatal("empty Delete(1) = true, want false")
	}

	steps := []struct {
		name string
		do   func() any
		want any
	}{
		{"first Add gets id 1", func() any { return s.Add("buy milk") }, Note{1, "buy milk"}},
		{"next Add gets id 2", func() any { return s.Add("walk the dog") }, Note{2, "walk the dog"}},
		{"third", func() any { return s.Add("call mum") }, Note{3, "call mum"}},
		{"Get finds one", func() any { n, ok := s.Get(2); return fmt.Sprint(n, ok) }, "{2 walk the dog} true"},
		{"Delete removes it", func() any { return s.Delete(2) }, true},
		{"Delete again finds none", func() any { return s.Delete(2) }, false},
		{"Get misses it", func() any { _, ok := s.Get(2); return ok }, false},
		{"ids are not reused", func() any { return s.Add("again") }, Note{4, "again"}},
		{"List in id order", func() any { return s.List() }, []Note{{1, "buy milk"}, {3, "call mum"}, {4, "again"}}},
	}
	for _, st := range steps {
		got := st.do()
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("%s: got %v, want %v", st.name, got, st.want)
		}
	}
}

// TestStoreConcurrent adds from many goroutines at once: every note gets
// an id of its own, with no gap. Run it with -race to check the locking.
func TestStoreConcurrent(t *testing.T) {
	const goroutines, each = 8, 50
	var s Store
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := s.Add(fmt.Sprintf("%d-%d", g, i))
				if _, ok := s.Get(n.ID); !ok {
					t.Errorf("Get(%d) right after Add found nothing", n.ID)
				}
				s.List()
			}
		})
	}
	wg.Wait()
	all := s.List()
	if len(all) != goroutines*each {
		t.Fatalf("List() has %d notes, want %d", len(all), goroutines*each)
	}
	for i, n := range all {
		if n.ID != i+1 {
			t.Fatalf("List()[%d].ID = %d, want %d", i, n.ID, i+1)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b Note) int { return a.ID - b.ID }) {
		t.Fatal("List() is not in id order")
	}
}
