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
// The notes, their store and the checks on a new note's body are the same
// in every example: they live in examples/internal/notes. This file holds
// what is Gin's: the engine and its middleware, handlers on a
// *gin.Context, binding the body with ShouldBindJSON, and c.JSON.
//
// The notes live in the memory of the process that serves the request.
// With --workers each worker is a process of its own with its own notes,
// exactly as with Gunicorn: a note created on one worker is unknown to
// the others (a keep-alive connection stays with one worker, a new
// connection may not). GET /pid says which process answered. A real app
// keeps what the workers share in a database.
package main

import (
	"net/http"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/httpfromscratch/course/examples/internal/notes"
	"github.com/httpfromscratch/course/final"
)

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

	g := r.Group("/notes")
	g.GET("", s.list)
	g.POST("", s.create)
	g.GET("/:id", s.get)
	g.DELETE("/:id", s.delete)

	r.GET("/pid", func(c *gin.Context) {
		c.String(http.StatusOK, "%d\n", os.Getpid())
	})
	r.GET("/panic", func(c *gin.Context) {
		panic("examples/gin: a bug in a handler")
	})
	return r
}

// store holds this process's notes; its handlers are its methods.
type store struct {
	notes.Store
}

func (s *store) list(c *gin.Context) {
	c.JSON(http.StatusOK, s.List())
}

func (s *store) create(c *gin.Context) {
	// Gin sets no limit of its own on a JSON body: bound it before binding.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, notes.MaxBytes)
	text, err := notes.ReadText(c.ShouldBindJSON)
	if err != nil {
		c.JSON(err.Status, gin.H{"error": err.Message})
		return
	}
	n := s.Add(text)
	c.Header("Location", "/notes/"+strconv.Itoa(n.ID))
	c.JSON(http.StatusCreated, n)
}

func (s *store) get(c *gin.Context) {
	id, ok := noteID(c)
	if !ok {
		return
	}
	n, found := s.Get(id)
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
	if !s.Delete(id) {
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
