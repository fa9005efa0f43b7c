package learn

import (
	"fmt"

	"github.com/httpfromscratch/course/final"
	"github.com/httpfromscratch/course/internal/bench"
)

// ServeFastHTTPCmd serves the bench's fasthttp peer (bench.ServeFastHTTP):
// the server `learn bench --compare ...,fasthttp` runs in a process of its
// own, as it runs net/http and the stages. It answers GET / as the demo
// app does, and GET /pid. It is hidden from help.
type ServeFastHTTPCmd struct {
	Host string `default:"127.0.0.1" help:"Address to listen on."`
	Port int    `default:"8080" help:"TCP port to listen on (0 picks a free one)."`
}

// Run serves until the App's context is cancelled, then shuts down
// gracefully.
func (c *ServeFastHTTPCmd) Run(a *App) error {
	if c.Port < 0 || c.Port > 65535 {
		return usagef("--port %d is out of range: use 1-65535, or 0 for any free port", c.Port)
	}
	ln, err := final.Listen(c.Host, c.Port)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "fasthttp serving GET / on %s\n", ln.Addr())
	return bench.ServeFastHTTP(a.Context, ln)
}
