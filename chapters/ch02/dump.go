package ch02

import (
	"bytes"
	"encoding/json"
)

// dump is the JSON form of a parsed request, the ch02 server's reply:
//
//	{"method":"GET","target":"/","version":"HTTP/1.1","headers":[["Host","x"]],"body":""}
//
// The format is the one the ch02 lesson specifies (README.md, "The dump").
// The member order is fixed, for people reading it, and headers are a list
// of pairs, not an object, so order and duplicates survive.
type dump struct {
	Method  string      `json:"method"`
	Target  string      `json:"target"`
	Version string      `json:"version"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
}

// Dump returns the JSON dump of req with its body, compact, on one line
// ending in "\n". Names, values, the target and the version are as
// received. JSON strings are UTF-8: a byte sequence that is not (obs-text
// in a value, binary in a body) comes out as U+FFFD.
func Dump(req *Request, body []byte) []byte {
	d := dump{
		Method:  req.Method,
		Target:  req.Target,
		Version: req.Proto,
		Headers: make([][2]string, 0, len(req.Header)),
		Body:    string(body),
	}
	for _, f := range req.Header {
		d.Headers = append(d.Headers, [2]string{f.Name, f.Value})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" stays "<": this is read by people, not pasted into HTML
	if err := enc.Encode(d); err != nil {
		// Strings and slices of strings always encode.
		panic("ch02: encoding the dump: " + err.Error())
	}
	return buf.Bytes()
}
