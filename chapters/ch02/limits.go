package ch02

// Default limits, used where a Limits field is zero.
const (
	// DefaultMaxRequestLine bounds the request-line, not counting its
	// CRLF. RFC 9112 section 3 recommends supporting at least 8000 octets.
	DefaultMaxRequestLine = 8 << 10 // 8 KiB

	// DefaultMaxHeaderBytes bounds the header section: every field line
	// with its CRLF, and the empty line that ends the section.
	DefaultMaxHeaderBytes = 64 << 10 // 64 KiB

	// DefaultMaxHeaderFields bounds the number of field lines.
	DefaultMaxHeaderFields = 100 // fields
)

// MaxChunkLine bounds a chunk-size line with its extensions and CRLF. Real
// clients send a few hex digits; the bound stops a peer from streaming an
// endless chunk extension (RFC 9112 section 7.1.1 lets a server limit them).
const MaxChunkLine = 4 << 10 // 4 KiB

// Limits bounds what a request may make the parser read. Zero (or negative)
// fields mean the default, which for MaxFieldSize and MaxBodyBytes is no
// bound of their own.
type Limits struct {
	// MaxRequestLine is the longest request-line accepted, in bytes, not
	// counting its CRLF; a longer one is answered 414 (URI Too Long), as
	// the target is what makes request-lines long. If zero,
	// DefaultMaxRequestLine is used.
	MaxRequestLine int

	// MaxHeaderBytes is the largest header section accepted, in bytes,
	// counting each field line's CRLF and the final empty line; a larger
	// one is answered 431 (Request Header Fields Too Large). The same
	// bound applies separately to a chunked body's trailer section, and
	// to its chunk extensions in all (400). If zero,
	// DefaultMaxHeaderBytes is used.
	MaxHeaderBytes int

	// MaxHeaderFields is the most field lines accepted in the header
	// section (and, separately, in the trailer section); more are
	// answered 431. If zero, DefaultMaxHeaderFields is used.
	MaxHeaderFields int

	// MaxFieldSize is the longest field line accepted, in bytes, counting
	// its CRLF as MaxHeaderBytes does; a longer one is answered 431 as
	// soon as it goes over, without waiting for its end. It applies to
	// each line of the header section and of a trailer section. If zero,
	// a field line has no bound of its own: only MaxHeaderBytes bounds it.
	// (It is Gunicorn's limit_request_field_size, counted the same way.)
	MaxFieldSize int

	// MaxBodyBytes is the largest body accepted, in bytes after chunked
	// decoding; a larger one is answered 413 (Content Too Large). If zero,
	// the body is not limited.
	MaxBodyBytes int64
}

// WithDefaults returns l with every zero or negative field replaced by
// what it means: the default, or 0 for no bound of its own.
func (l Limits) WithDefaults() Limits {
	if l.MaxRequestLine <= 0 {
		l.MaxRequestLine = DefaultMaxRequestLine
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = DefaultMaxHeaderFields
	}
	l.MaxFieldSize, l.MaxBodyBytes = max(l.MaxFieldSize, 0), max(l.MaxBodyBytes, 0)
	return l
}

// FieldLineLimit returns how many bytes the next field line may take, its
// CRLF included, when left bytes of the section's MaxHeaderBytes remain:
// the tighter of left and MaxFieldSize, but never less than the CRLF of
// the empty line that ends the section, which is no field. l must have
// its defaults (WithDefaults).
func (l *Limits) FieldLineLimit(left int) int {
	if l.MaxFieldSize > 0 && l.MaxFieldSize < left {
		return max(l.MaxFieldSize, len("\r\n"))
	}
	return left
}
