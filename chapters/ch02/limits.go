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

// maxChunkLine bounds a chunk-size line with its extensions and CRLF. Real
// clients send a few hex digits; the bound stops a peer from streaming an
// endless chunk extension (RFC 9112 section 7.1.1 lets a server limit them).
const maxChunkLine = 4 << 10 // 4 KiB

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
	// bound applies separately to a chunked body's trailer section. If
	// zero, DefaultMaxHeaderBytes is used.
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

// maxRequestLine returns the request-line limit, with its default.
func (l *Limits) maxRequestLine() int {
	if l.MaxRequestLine <= 0 {
		return DefaultMaxRequestLine
	}
	return l.MaxRequestLine
}

// maxHeaderBytes returns the header section limit, with its default.
func (l *Limits) maxHeaderBytes() int {
	if l.MaxHeaderBytes <= 0 {
		return DefaultMaxHeaderBytes
	}
	return l.MaxHeaderBytes
}

// maxHeaderFields returns the field count limit, with its default.
func (l *Limits) maxHeaderFields() int {
	if l.MaxHeaderFields <= 0 {
		return DefaultMaxHeaderFields
	}
	return l.MaxHeaderFields
}

// maxFieldSize returns the field line limit, or 0 for none of its own.
func (l *Limits) maxFieldSize() int {
	return max(l.MaxFieldSize, 0)
}

// maxBodyBytes returns the body limit, or 0 for none.
func (l *Limits) maxBodyBytes() int64 {
	return max(l.MaxBodyBytes, 0)
}
