package notes

import (
	"cmp"
	"slices"
	"sync"
)

// Note is what the API stores and returns.
type Note struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// Store holds one process's notes, in memory. The zero Store is empty and
// ready to use. Its methods are safe for concurrent use: the server runs
// the handlers of different connections at the same time.
type Store struct {
	mu    sync.Mutex
	last  int // the last id given out: ids start at 1 and are never reused
	notes map[int]Note
}

// Add stores a note with the next id and returns it.
func (s *Store) Add(text string) Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notes == nil {
		s.notes = map[int]Note{}
	}
	s.last++
	n := Note{ID: s.last, Text: text}
	s.notes[n.ID] = n
	return n
}

// List returns every note, in the order of their ids. It is never nil,
// so that no notes encode as the JSON [] rather than null.
func (s *Store) List() []Note {
	s.mu.Lock()
	all := make([]Note, 0, len(s.notes))
	for _, n := range s.notes {
		all = append(all, n)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b Note) int { return cmp.Compare(a.ID, b.ID) })
	return all
}

// Get returns the note with this id, and reports whether there is one.
func (s *Store) Get(id int) (Note, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[id]
	return n, ok
}

// Delete removes the note with this id, and reports whether there was
// one.
func (s *Store) Delete(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.notes[id]
	delete(s.notes, id)
	return ok
}
