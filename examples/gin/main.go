// Gin is a small notes API written with the Gin framework
// (github.com/gin-gonic/gin), served by the course's finished server
// through final.Main: a gin.Engine is an http.Handler like any other.
//
// Run it from the repository's root:
//
//	go run ./examples/gin --port 8000 --workers 2
//
// and try it:
//
//	curl -i localhost:8000/notes -d '{"text":"buy milk"}'   # 201, Location: /notes/1
//	curl -i localhost:8000/notes                            # 200, every note
//	curl -i localhost:8000/notes/1                          # 200, one note
//	curl -i -X DELETE localhost:8000/notes/1                # 204
//	curl -i -X PUT localhost:8000/notes                     # 405, from Gin
//	curl -i localhost:8000/panic                            # 500, from gin.Recovery
//
// The command line is final.Main's (--help lists it): workers, graceful
// shutdown, the access log, TLS. That is why the engine is not started
// with its own Run: final.Main listens and serves.
//
// The notes live in the memory of the process that serves the request.
// With --workers each worker is a process of its own with its own notes,
// exactly as with Gunicorn: a note created on one worker is unknown to
// the others (a keep-alive connection stays with one worker, a new
// connection may not). GET /pid says which process answered. A real app
// keeps what the workers share in a database.
package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/httpfromscratch/course/final"
)

// maxNoteBytes bounds the JSON body of POST /notes (4 KiB); a larger one
// gets 413.
const maxNoteBytes = 4 << 10

func main() {
	// Release mode: no route table and warnings printed at start. The
	// server's access log already says what was requested.
	gin.SetMode(gin.ReleaseMode)
	final.Main(newEngine(&store{}))
}

// newEngine routes the API. gin.New has no middleware; Recovery turns a
// handler's panic into a 500 and keeps the connection, before the server
// would see it. Gin's own Logger is left out: final.Main's access log
// does its job.
func newEngine(s *store) *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	// Off by default in Gin, which answers 404 for a known path with
	// another method; RFC 9110 section 15.5.6 wants 405 with Allow.
	r.HandleMethodNotAllowed = true

	notes := r.Group("/notes")
	notes.GET("", s.list)
	notes.POST("", s.create)
	notes.GET("/:id", s.get)
	notes.DELETE("/:id", s.delete)

	r.GET("/pid", func(c *gin.Context) {
		c.String(http.StatusOK, "%d\n", os.Getpid())
	})
	r.GET("/panic", func(c *gin.Context) {
		panic("examples/gin: a bug in a handler")
	})
	return r
}

// note is what the API stores and returns.
type note struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// store holds this process's notes.
type store struct {
	mu    sync.Mutex
	last  int
	notes map[int]note
}

func (s *store) list(c *gin.Context) {
	s.mu.Lock()
	all := make([]note, 0, len(s.notes))
	for _, n := range s.notes {
		all = append(all, n)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b note) int { return a.ID - b.ID })
	c.JSON(http.StatusOK, all)
}

func (s *store) create(c *gin.Context) {
	var in struct {
		Text string `json:"text"`
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxNoteBytes)
	err := c.ShouldBindJSON(&in)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		c.JSON(http.StatusRequestEntityTooLarge, gin.H{"error": fmt.Sprintf("a note is at most %d bytes", tooBig.Limit)})
		return
	case err != nil:
		c.JSON(http.StatusBadRequest, gin.H{"error": "want a JSON object such as {\"text\":\"buy milk\"}"})
		return
	case strings.TrimSpace(in.Text) == "":
		c.JSON(http.StatusBadRequest, gin.H{"error": "text is required"})
		return
	}
	s.mu.Lock()
	if s.notes == nil {
		s.notes = map[int]note{}
	}
	s.last++
	n := note{ID: s.last, Text: in.Text}
	s.notes[n.ID] = n
	s.mu.Unlock()
	c.Header("Location", "/notes/"+strconv.Itoa(n.ID))
	c.JSON(http.StatusCreated, n)
}

func (s *store) get(c *gin.Context) {
	id, ok := noteID(c)
	if !ok {
		return
	}
	s.mu.Lock()
	n, found := s.notes[id]
	s.mu.Unlock()
	if !found {
		notFound(c)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *store) delete(c *gin.Context) {
	id, ok := noteID(c)
	if !ok {
		return
	}
	s.mu.Lock()
	_, found := s.notes[id]
	delete(s.notes, id)
	s.mu.Unlock()
	if !found {
		notFound(c)
		return
	}
	c.Status(http.StatusNoContent)
}

// noteID reads the :id parameter; it answers 404 itself when the id is
// not a number, since no note can have it.
func noteID(c *gin.Context) (int, bool) {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		notFound(c)
		return 0, false
	}
	return id, true
}

func notFound(c *gin.Context) {
	c.JSON(http.StatusNotFound, gin.H{"error": "no note " + c.Param("id")})
}
