package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdCmpJSON compares two JSON documents as JSON values:
//
//	cmpjson stdout want-dump
//
// Whitespace, escaping and the order of an object's members do not count
// (RFC 8259 sections 2, 4 and 7), so a learner's server may print its JSON
// any way its library likes; array order and every value do count. When
// the first file's text is an HTTP response (as `response` prints it), only
// its body is compared.
func cmdCmpJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpjson FILE WANTFILE")
	}
	gotText := responseBody(ts.ReadFile(args[0]))
	wantText := ts.ReadFile(args[1])
	want, err := decodeJSON(wantText)
	if err != nil {
		ts.Fatalf("cmpjson: %s is not JSON: %v", args[1], err)
	}
	got, err := decodeJSON(gotText)
	if err != nil {
		ts.Fatalf("cmpjson: the body is not JSON: %v\nexpected: %s\ngot:      %s", err, compactJSON(want), quote([]byte(strings.TrimSpace(gotText))))
	}
	path, equal := jsonDiff("$", want, got)
	switch {
	case equal && neg:
		ts.Fatalf("cmpjson: the body equals %s, want something else", args[1])
	case !equal && !neg:
		ts.Fatalf("cmpjson: the JSON differs at %s (spacing and member order do not matter, values do)\nexpected: %s\ngot:      %s",
			path, compactJSON(want), compactJSON(got))
	}
}

// responseBody returns the body of an HTTP response as `response` prints
// it (head, empty line, body; a chunked body as size lines and data), or
// text itself when it is no response.
func responseBody(text string) string {
	if !strings.HasPrefix(text, "HTTP/") {
		return text
	}
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		return ""
	}
	for _, line := range strings.Split(head, "\n") {
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Transfer-Encoding") && strings.EqualFold(strings.TrimSpace(value), "chunked") {
			return dechunk(body)
		}
	}
	return body
}

// dechunk undoes how `response` prints a chunked body: each chunk as its
// size line, its data and a newline, up to the last chunk's "0" line.
func dechunk(printed string) string {
	var b strings.Builder
	for {
		sizeLine, rest, ok := strings.Cut(printed, "\n")
		sizeText, _, _ := strings.Cut(sizeLine, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
		if !ok || err != nil || size <= 0 || int64(len(rest)) < size {
			return b.String()
		}
		b.WriteString(rest[:size])
		printed = strings.TrimPrefix(rest[size:], "\n")
	}
}

// decodeJSON parses one JSON value, numbers kept exact.
func decodeJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// compactJSON renders v with sorted object members and no spaces, so
// expected and got line up for the eye.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return cutText(string(bytes.TrimSpace(buf.Bytes())))
}

// jsonDiff reports where got first differs from want, as a path like
// $.headers[2][1], and whether they are equal.
func jsonDiff(path string, want, got any) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, eq := jsonDiff(path+"."+k, w[k], g[k]); !eq {
				return p, false
			}
		}
		return path, true
	case []any:
		g, ok := got.([]any)
		if !ok {
			return path, false
		}
		for i := range max(len(w), len(g)) {
			if i >= len(w) || i >= len(g) {
				return fmt.Sprintf("%s[%d]", path, i), false
			}
			if p, eq := jsonDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); !eq {
				return p, false
			}
		}
		return path, true
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return path, false
		}
		wf, werr := w.Float64()
		gf, gerr := g.Float64()
		return path, werr == nil && gerr == nil && wf == gf
	default:
		return path, reflect.DeepEqual(want, got)
	}
}
