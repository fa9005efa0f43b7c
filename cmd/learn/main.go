// Command learn is the course's command line: list the stages, read a
// lesson, run a stage's server, and test it over the wire.
//
//	go run ./cmd/learn list
//	go run ./cmd/learn read ch01
//	go run ./cmd/learn run ch01 --port 8080
//	go run ./cmd/learn test ch01
package main

import (
	"os"

	"github.com/httpfromscratch/course/internal/learn"
)

func main() {
	os.Exit(learn.Main())
}
