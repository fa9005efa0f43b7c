package ports

import (
	"net"
	"strconv"
	"testing"
)

func TestFreeIsOutsideTheEphemeralRangeAndBindable(t *testing.T) {
	for range 20 {
		port, err := Free("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if port < low || port >= high {
			t.Fatalf("Free() = %d, want a port in [%d, %d)", port, low, high)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("listen on the free port %d: %v", port, err)
		}
		ln.Close()
	}
}
