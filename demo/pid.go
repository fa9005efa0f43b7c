package demo

import (
	"net/http"
	"os"
	"strconv"
)

// getpid is the process-id lookup behind GET /pid, a variable so tests can
// pin it.
var getpid = os.Getpid

// servePID answers with the id of the process that served the request, as
// decimal digits and a newline ("12345\n"). With prefork (ch06) successive
// connections may reach different worker processes; this route shows which.
func servePID(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	writeText(w, http.StatusOK, strconv.Itoa(getpid())+"\n")
}
