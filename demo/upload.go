package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
)

// uploadReply is the JSON /upload answers with.
type uploadReply struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// serveUpload hashes the request body as it streams in: io.Copy moves it
// through one 32 KiB buffer, so a body of any size costs the same memory.
// That makes it the route to push large and chunked uploads through a
// server and check that every byte arrived, in order.
func serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = allowPost
		writeText(w, http.StatusMethodNotAllowed, "405 method not allowed\n")
		return
	}
	sum := sha256.New()
	n, err := io.Copy(sum, requestBody(r))
	if err != nil {
		writeBodyError(w, err)
		return
	}
	writeJSON(w, uploadReply{Bytes: n, SHA256: hex.EncodeToString(sum.Sum(nil))})
}
