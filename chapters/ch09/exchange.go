package ch09

import (
	"bufio"
	"context"
	"net"
	"unsafe"

	"github.com/httpfromscratch/course/chapters/ch02"
	"github.com/httpfromscratch/course/chapters/ch04"
)

// exchangeClass is the size class an exchange is allocated in. Go's
// allocator rounds every small allocation up to one of its size classes,
// and puts an 8-byte header in front of an object over 512 bytes that
// holds pointers (mallocHeader), inside the class. Chapter 4's Exchange
// and the lazy context come to 1,056 bytes, 1,064 with the header, which
// it rounds up to 1,152. The head room fills the difference: what would
// be padding holds the request head instead. (Should chapter 4's
// Exchange outgrow the class, headRoom below overflows and the build
// says so: the next classes up are 1,280 and 1,408.)
const (
	exchangeClass = 1152
	mallocHeader  = 8
)

// headRoom is how many bytes of a request head fit in an exchange: 88 on
// a 64-bit machine, enough for a request line, a Host and what curl or
// wrk add. A longer head
// (a browser's, with its cookies) gets a string of its own.
const headRoom = exchangeClass - mallocHeader - unsafe.Sizeof(struct {
	ch04.Exchange
	lazyContext
}{})

// exchange is the memory of one request in chapter 9: chapter 4's
// Exchange (the Response, the http.Request and its parts), the request's
// lazyContext, and room for the head that every string of the request is
// a slice of. One allocation for all three, where chapter 4 makes three
// or more.
//
// They live and die together anyway. A handler that keeps the request, its
// context or any of its strings keeps the whole exchange and what the
// request still points at, its header map: about 1.5 KB. Not the
// connection's buffers, parser or reader: the Response, the body and the
// context let go of those when the response finishes
// (TestKeptStringKeepsOnlyItsRequest weighs it). A context that outlives
// its request still reads as cancelled, and a string still reads as it
// did, since nothing ever reuses an exchange.
type exchange struct {
	ch04.Exchange
	ctx  lazyContext
	head [headRoom]byte
}

// ReadRequest reads the next request as the connection's Parser does,
// and once a whole head has arrived, allocates the request's exchange and
// keeps the head in it. newExchange hands that exchange to chapter 4.
func (st *connState) ReadRequest(br *bufio.Reader) (*ch02.Request, error) {
	lim := st.Limits.WithDefaults()
	line, err := st.readHead(br, &lim)
	if err != nil {
		return st.replay(br, err)
	}
	x := new(exchange)
	pr, err := st.parseHead(br, &lim, line, x.keepHead(st.buf))
	if err != nil {
		return nil, err
	}
	st.next = x
	return pr, nil
}

// keepHead returns the head's bytes as a string: made in the exchange's
// head room when they fit, without an allocation of its own, else a new
// string. The room is written once, here, and never again (no exchange is
// reused), which is what unsafe.String asks: the bytes under a string
// must not change while the string exists.
func (x *exchange) keepHead(b []byte) string {
	if len(b) > len(x.head) {
		return string(b)
	}
	n := copy(x.head[:], b)
	return unsafe.String(&x.head[0], n)
}

// newExchange is the connection's ch04.ExchangeFunc: the exchange that
// ReadRequest allocated for this request, with its lazy context set up.
func (st *connState) newExchange(parent context.Context, conn net.Conn, br *bufio.Reader) (*ch04.Exchange, ch04.RequestContext) {
	x := st.next
	st.next = nil
	if x == nil {
		x = new(exchange) // a request read by another way: there is none in ch04.Conn's order
	}
	x.ctx.parent, x.ctx.laddr, x.ctx.conn, x.ctx.br = parent, conn.LocalAddr(), conn, br
	return &x.Exchange, &x.ctx
}
