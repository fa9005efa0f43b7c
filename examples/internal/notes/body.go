package notes

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MaxBytes bounds the JSON body of POST /notes: 4 KiB. A larger one gets
// 413 (RFC 9110 section 15.5.14).
const MaxBytes = 4 << 10 // 4 KiB

// A BodyError says why a POST /notes body holds no note: the status to
// answer with and the message for the client. Each example sends it as
// {"error":Message}, in its framework's way.
type BodyError struct {
	Status  int // 400 Bad Request or 413 Content Too Large
	Message string
}

func (e *BodyError) Error() string { return e.Message }

// DecodeText reads the body of a POST /notes, at most MaxBytes of JSON
// such as {"text":"buy milk"}, and returns the new note's text, or the
// *BodyError to answer with (see ReadText). w is the handler's
// ResponseWriter, which http.MaxBytesReader wants.
func DecodeText(w http.ResponseWriter, r *http.Request) (string, *BodyError) {
	return ReadText(json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBytes)).Decode)
}

// ReadText decodes a POST /notes body with decode, a json.Decoder's
// Decode or a framework's own (Gin's c.ShouldBindJSON), and returns the
// new note's text. It returns a *BodyError instead: 413 when the body
// runs past the limit of an http.MaxBytesReader, 400 when it is not the
// JSON it wants or the text is blank. The error is a *BodyError, nil when
// the body holds a note, so that the caller has the status at hand.
func ReadText(decode func(v any) error) (string, *BodyError) {
	var in struct {
		Text string `json:"text"`
	}
	err := decode(&in)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return "", &BodyError{http.StatusRequestEntityTooLarge, fmt.Sprintf("a note is at most %d bytes", tooBig.Limit)}
	case err != nil:
		return "", &BodyError{http.StatusBadRequest, `want a JSON object such as {"text":"buy milk"}`}
	case strings.TrimSpace(in.Text) == "":
		return "", &BodyError{http.StatusBadRequest, "text is required"}
	}
	return in.Text, nil
}
