// Package notes is what the example apps (examples/servemux, examples/chi
// and examples/gin) have in common, whatever their framework: the Note
// they store and return, the Store that keeps a process's notes in
// memory, and reading a new note's text from a POST /notes body.
//
// What is left in each example is what shows its framework: the routes,
// the handlers' signatures, reading the {id} from the path, and writing
// JSON and errors in that framework's way.
package notes
