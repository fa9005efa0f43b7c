package parsertest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/httpfromscratch/course/chapters/ch02"
)

// llhttpRecord is one line of chapters/ch02/testdata/conformance/llhttp-requests.jsonl
// (fields described in the README.md beside it).
type llhttpRecord struct {
	ID       string      `json:"id"`
	RawB64   string      `json:"raw_b64"`
	Mode     string      `json:"mode"`
	Expect   string      `json:"expect"`
	Method   string      `json:"method"`
	Target   string      `json:"target"`
	Version  string      `json:"version"`
	Headers  [][2]string `json:"headers"`
	BodyB64  *string     `json:"body_b64"`
	Complete *bool       `json:"complete"`
	RFCNotes []struct {
		Verdict string `json:"verdict"`
		Status  int    `json:"status"`
		Note    string `json:"note"`
	} `json:"rfc_notes"`
}

// disagreement is one listed difference from what an RFC server should do
// on an llhttp fixture (chapters/ch02/testdata/conformance-disagreements.json).
type disagreement struct {
	ID     string `json:"id"`
	Ours   string `json:"ours"`   // our outcome, as outcome.String gives it
	Want   string `json:"want"`   // what the fixture and its rfc_notes expect
	Reason string `json:"reason"` // why we differ
}

// outcome is how a parse of one input ended.
type outcome struct {
	verdict string // "accept", "reject" or "incomplete"
	status  int    // for reject
}

func (o outcome) String() string {
	if o.verdict == "reject" {
		return fmt.Sprintf("reject %d", o.status)
	}
	return o.verdict
}

// expectation is what an RFC 9110/9112 server should do with a record:
// one or more acceptable outcomes.
type expectation []outcome

func (e expectation) allows(o outcome) bool {
	for _, w := range e {
		if w == o {
			return true
		}
	}
	return false
}

func (e expectation) String() string {
	s := make([]string, len(e))
	for i, o := range e {
		s[i] = o.String()
	}
	return strings.Join(s, " or ")
}

// noHostNote starts the rfc_note on records that lack Host, which the
// test makes moot by inserting one.
const noHostNote = "no Host header"

// expect turns a record's llhttp verdict and rfc_notes into the outcomes
// an RFC server may have (see the README's rfc_notes section).
func expect(rec *llhttpRecord) expectation {
	var base outcome
	switch rec.Expect {
	case "accept":
		base = outcome{verdict: "accept"}
		if rec.Complete != nil && !*rec.Complete {
			// llhttp parsed the head and waits for the rest of the body:
			// fed these bytes then EOF, a server sees a truncated request.
			base = outcome{verdict: "incomplete"}
		}
	case "incomplete":
		base = outcome{verdict: "incomplete"}
	default: // reject, h2-preface
		base = outcome{verdict: "reject", status: 400}
	}
	want := expectation{base}
	for _, n := range rec.RFCNotes {
		if strings.HasPrefix(n.Note, noHostNote) {
			continue
		}
		status := n.Status
		if status == 0 {
			status = 400
		}
		switch n.Verdict {
		case "llhttp-lenient", "status":
			want = expectation{{verdict: "reject", status: status}}
		case "either", "llhttp-stricter":
			if base.verdict == "reject" {
				want = expectation{{verdict: "reject", status: status}, {verdict: "accept"}}
			} else {
				want = append(want, outcome{verdict: "reject", status: status})
			}
		}
	}
	return want
}

// hasHostLine reports whether raw holds a Host field line.
func hasHostLine(raw []byte) bool {
	return bytes.Contains(bytes.ToLower(raw), []byte("\nhost:"))
}

// withHost inserts "Host: x" after raw's request-line (after one leading
// empty line, if any), as the README says to do for records without one.
func withHost(raw []byte) []byte {
	start := 0
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		start = 2
	}
	end := bytes.Index(raw[start:], []byte("\r\n"))
	if end < 0 {
		return raw
	}
	at := start + end + 2
	return append(append(append([]byte(nil), raw[:at]...), "Host: x\r\n"...), raw[at:]...)
}

// parseRecord parses raw with read and classifies the result.
func parseRecord(read ReadFunc, raw []byte) (outcome, *ch02.Request, []byte, error) {
	req, err := read(bufio.NewReader(bytes.NewReader(raw)), nil)
	var body []byte
	if err == nil {
		body, err = readBody(req)
	}
	switch {
	case err == nil:
		return outcome{verdict: "accept"}, req, body, nil
	case errors.Is(err, ch02.ErrTruncated):
		return outcome{verdict: "incomplete"}, nil, nil, err
	default:
		return outcome{verdict: "reject", status: ch02.StatusCode(err)}, nil, nil, err
	}
}

func readBody(req *ch02.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(req.Body)
	return buf.Bytes(), err
}

// Conformance runs, with read, llhttp's strict request fixtures and compares
// with what an RFC 9110/9112 server should do: llhttp's verdict, corrected
// by the fixture's rfc_notes. Records without Host get "Host: x" after the
// request-line: for an accepted one always (the README's instruction), for
// another one when a missing Host is all we reject it for, so it tests
// the rule the fixture is about. For accepted requests the method, target,
// version, fields and body must match too.
//
// Every disagreement must be listed with its reason in
// dir/conformance-disagreements.json; the test fails on an unlisted
// one and on a listed one that no longer happens.
func Conformance(t *testing.T, dir string, read ReadFunc) {
	recs := loadRecords(t, dir)
	listed := loadDisagreements(t, dir)
	total, agree := 0, 0
	seen := make(map[string]bool)
	for _, rec := range recs {
		if rec.Mode != "strict" {
			continue
		}
		total++
		raw, err := base64.StdEncoding.DecodeString(rec.RawB64)
		if err != nil {
			t.Fatalf("%s: raw_b64: %v", rec.ID, err)
		}
		want := expect(rec)
		got, problem := checkRecord(read, rec, raw)
		seen[rec.ID] = true
		d, isListed := listed[rec.ID]
		switch {
		case problem == "" && !isListed:
			agree++
		case problem == "" && isListed:
			t.Errorf("%s: readRequest(%q) = %v, want %v: agrees now, but is listed as a disagreement (stale)", rec.ID, raw, got, want)
		case !isListed:
			t.Errorf("%s: readRequest(%q) = %v, want %v: %s (unlisted disagreement)", rec.ID, raw, got, want, problem)
		case d.Ours != got.String() || d.Want != want.String():
			t.Errorf("%s: readRequest(%q) = %v, want %v; listed as ours %q, want %q", rec.ID, raw, got, want, d.Ours, d.Want)
		}
	}
	for id := range listed {
		if !seen[id] {
			t.Errorf("listed disagreement %q names no strict record", id)
		}
	}
	t.Logf("llhttp conformance: %d/%d agree", agree, total)
}

// checkRecord parses one record and returns our outcome and, if it is not
// what the record expects, why.
func checkRecord(read ReadFunc, rec *llhttpRecord, raw []byte) (outcome, string) {
	want := expect(rec)
	wantHeaders := rec.Headers
	if !hasHostLine(raw) && rec.Expect == "accept" {
		raw = withHost(raw)
		wantHeaders = append([][2]string{{"Host", "x"}}, wantHeaders...)
	}
	got, req, body, err := parseRecord(read, raw)
	if !hasHostLine(raw) && errors.Is(err, ch02.ErrHost) {
		got, req, body, _ = parseRecord(read, withHost(raw))
	}
	if !want.allows(got) {
		return got, "outcome"
	}
	if got.verdict != "accept" || rec.Expect != "accept" {
		return got, ""
	}
	var headers [][2]string
	for _, f := range req.Header {
		headers = append(headers, [2]string{f.Name, f.Value})
	}
	if len(wantHeaders) == 0 {
		wantHeaders = nil
	}
	wantBody := []byte{}
	if rec.BodyB64 != nil {
		wantBody, _ = base64.StdEncoding.DecodeString(*rec.BodyB64)
	}
	switch {
	case req.Method != rec.Method || req.Target != rec.Target || req.Proto != rec.Version:
		return got, fmt.Sprintf("request-line %s %s %s, want %s %s %s", req.Method, req.Target, req.Proto, rec.Method, rec.Target, rec.Version)
	case !reflect.DeepEqual(headers, wantHeaders):
		return got, fmt.Sprintf("headers %q, want %q", headers, wantHeaders)
	case !bytes.Equal(body, wantBody) && len(want) == 1:
		// With an "either" note, llhttp's body is one of two right
		// answers (CONNECT: tunnel data, or a Content-Length body).
		return got, fmt.Sprintf("body %q, want %q", body, wantBody)
	}
	return got, ""
}

// RecordInputs returns the raw request of every record of
// dir/conformance/llhttp-requests.jsonl, as fuzz seeds.
func RecordInputs(t testing.TB, dir string) [][]byte {
	t.Helper()
	var raws [][]byte
	for _, rec := range loadRecords(t, dir) {
		raw, err := base64.StdEncoding.DecodeString(rec.RawB64)
		if err != nil {
			t.Fatalf("%s: %v", rec.ID, err)
		}
		raws = append(raws, raw)
	}
	return raws
}

func loadRecords(t testing.TB, dir string) []*llhttpRecord {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "conformance", "llhttp-requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []*llhttpRecord
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		rec := new(llhttpRecord)
		if err := json.Unmarshal(line, rec); err != nil {
			t.Fatalf("llhttp-requests.jsonl:%d: %v", i+1, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func loadDisagreements(t *testing.T, dir string) map[string]disagreement {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "conformance-disagreements.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []disagreement
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("testdata/conformance-disagreements.json: %v", err)
	}
	m := make(map[string]disagreement)
	for _, d := range list {
		if d.Reason == "" {
			t.Errorf("listed disagreement %q has no reason", d.ID)
		}
		if _, dup := m[d.ID]; dup {
			t.Errorf("disagreement %q listed twice", d.ID)
		}
		m[d.ID] = d
	}
	return m
}
