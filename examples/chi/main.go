// Chi is a small notes API written with the chi router
// (github.com/go-chi/chi/v5) and its middleware, served by the course's
// finished server through final.Main.
//
// Run it from the repository's root:
//
//	go run ./examples/chi --port 8000 --workers 2
//
// and try it:
//
//	curl -i localhost:8000/notes -d '{"text":"buy milk"}'   # 201, Location: /notes/1
//	curl -i localhost:8000/notes                            # 200, every note
//	curl -i localhost:8000/notes/1                          # 200, one note
//	curl -i -X DELETE localhost:8000/notes/1                # 204
//	curl -i -X PUT localhost:8000/notes                     # 405, from chi
//	curl -i localhost:8000/panic                            # 500, from chi's Recoverer
//	curl -i -H 'X-Request-Id: abc' localhost:8000/notes     # X-Request-Id: abc
//
// The command line is final.Main's (--help lists it): workers, graceful
// shutdown, the access log, TLS.
//
// The notes, their store and the reading of a new note's body are the
// same in every example: they live in examples/internal/notes. This file
// holds what is chi's: the router and its middleware, the handlers, and
// how they write JSON on a plain http.ResponseWriter, as chi leaves it.
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

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/httpfromscratch/course/examples/internal/notes"
	"github.com/httpfromscratch/course/final"
)

func main() {
	final.Main(newRouter(&store{}))
}

// newRouter routes the API. chi answers 404 for unknown paths and 405,
// with Allow, for a known path with another method.
func newRouter(s *store) http.Handler {
	r := chi.NewRouter()
	// RequestID takes the client's X-Request-Id or makes one up;
	// echoRequestID sends it back, so a client can quote it in a bug
	// report. Recoverer turns a handler's panic into a 500 and keeps the
	// connection, before the server would see it.
	r.Use(middleware.RequestID, echoRequestID, middleware.Recoverer)

	r.Route("/notes", func(r chi.Router) {
		r.Get("/", s.list)
		r.Post("/", s.create)
		// The pattern only matches digits: /notes/abc is chi's 404.
		r.Route("/{id:[0-9]+}", func(r chi.Router) {
			r.Get("/", s.get)
			r.Delete("/", s.delete)
		})
	})
	r.Get("/pid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, os.Getpid())
	})
	r.Get("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("examples/chi: a bug in a handler")
	})
	return r
}

// echoRequestID sets the X-Request-Id response header to the request's
// id (middleware.RequestID must run first).
func echoRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(middleware.RequestIDHeader, middleware.GetReqID(r.Context()))
		next.ServeHTTP(w, r)
	})
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
	n, found := s.Get(noteID(r))
	if !found {
		writeError(w, http.StatusNotFound, "no note "+chi.URLParam(r, "id"))
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *store) delete(w http.ResponseWriter, r *http.Request) {
	if !s.Delete(noteID(r)) {
		writeError(w, http.StatusNotFound, "no note "+chi.URLParam(r, "id"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// noteID reads the {id} URL parameter. The route's pattern allows only
// digits, so only an id too large for an int fails: 0, which no note has.
func noteID(r *http.Request) int {
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	if err != nil {
		return 0
	}
	return id
}

// writeJSON and writeError are examples/servemux's: chi handlers write on
// the plain http.ResponseWriter.
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
