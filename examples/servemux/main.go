// Servemux is a small notes API written with nothing but the standard
// library's http.ServeMux and its Go 1.22 patterns, served by the course's
// finished server through final.Main.
//
// Run it from the repository's root:
//
//	go run ./examples/servemux --port 8000 --workers 2
//
// and try it:
//
//	curl -i localhost:8000/notes -d '{"text":"buy milk"}'   # 201, Location: /notes/1
//	curl -i localhost:8000/notes                            # 200, every note
//	curl -i localhost:8000/notes/1                          # 200, one note
//	curl -i -X DELETE localhost:8000/notes/1                # 204
//	curl -i -X PUT localhost:8000/notes                     # 405, from the mux
//	curl -i localhost:8000/panic                            # 500, from the server
//
// The command line is final.Main's (--help lists it): workers, graceful
// shutdown, the access log, TLS.
//
// The notes, their store and the reading of a new note's body are the
// same in every example: they live in examples/internal/notes. This file
// holds what is ServeMux's: the patterns, the handlers, and how they write
// JSON with nothing but net/http.
//
// The notes live in the memory of the process that serves the request.
// With --workers each worker is a process of its own with its own notes,
// exactly as with Gunicorn: a note created on one worker is unknown to
// the others (a keep-alive connection stays with one worker, a new
// connection may not). GET /pid says which process answered. A real app
// keeps what the workers share in a database.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/httpfromscratch/course/examples/internal/notes"
	"github.com/httpfromscratch/course/final"
)

func main() {
	final.Main(newMux(&store{}))
}

// newMux routes the API. Methods in the patterns let the mux answer 405
// with an Allow header on its own, and 404 for every other path.
func newMux(s *store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /notes", s.list)
	mux.HandleFunc("POST /notes", s.create)
	mux.HandleFunc("GET /notes/{id}", s.get)
	mux.HandleFunc("DELETE /notes/{id}", s.delete)
	mux.HandleFunc("GET /pid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, os.Getpid())
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) {
		// ServeMux recovers nothing: the server turns this into a 500.
		panic("examples/servemux: a bug in a handler")
	})
	return mux
}

// store holds this process's notes; its handlers are its methods.
type store struct {
	notes.Store
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.List())
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	text, err := notes.DecodeText(w, r)
	if err != nil {
		writeError(w, err.Status, err.Message)
		return
	}
	n := s.Add(text)
	w.Header().Set("Location", "/notes/"+strconv.Itoa(n.ID))
	writeJSON(w, http.StatusCreated, n)
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, ok := noteID(w, r)
	if !ok {
		return
	}
	n, found := s.Get(id)
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no note %d", id))
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *store) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := noteID(w, r)
	if !ok {
		return
	}
	if !s.Delete(id) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no note %d", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// noteID reads the {id} wildcard; it answers 404 itself when the id is
// not a number, since no note can have it.
func noteID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no note %q", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// v always encodes (notes and strings), and the status is sent: an
	// error here means the client is gone, with no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
