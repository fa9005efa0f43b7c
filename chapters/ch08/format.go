package ch08

import (
	"strconv"
	"time"
)

// StatusStyle decorates a status code's text in the console format, for
// example with the color of its class. It must not change the text's
// meaning; nil leaves the text as it is.
type StatusStyle func(code int, text string) string

// AppendConsole appends the console line for e:
//
//	[15:04:05] 127.0.0.1 "GET / HTTP/1.1" 200 13 0.42ms
func AppendConsole(dst []byte, e *Entry, style StatusStyle) []byte {
	dst = append(dst, '[')
	dst = e.Start.AppendFormat(dst, time.TimeOnly)
	dst = append(dst, "] "...)
	dst = append(dst, host(e.RemoteAddr)...)
	dst = append(dst, ' ')
	dst = appendRequestLine(dst, e)
	dst = append(dst, ' ')
	if style != nil {
		dst = append(dst, style(e.Status, strconv.Itoa(e.Status))...)
	} else {
		dst = strconv.AppendInt(dst, int64(e.Status), 10)
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, e.Bytes, 10)
	dst = append(dst, ' ')
	dst = appendMillis(dst, e.Duration)
	dst = append(dst, "ms"...)
	return append(dst, '\n')
}

// clfTime is the time layout of the Common Log Format, %t in Apache.
const clfTime = "02/Jan/2006:15:04:05 -0700"

// AppendCommon appends the Common Log Format line for e, as Apache's
// "%h %l %u %t \"%r\" %>s %b" writes it: the client host, "-" for the
// identd name and user (never known here), the time the request arrived,
// the request line, the status, and the body size ("-" for none).
func AppendCommon(dst []byte, e *Entry) []byte {
	return append(appendCommon(dst, e), '\n')
}

func appendCommon(dst []byte, e *Entry) []byte {
	dst = append(dst, host(e.RemoteAddr)...)
	dst = append(dst, " - - ["...)
	dst = e.Start.AppendFormat(dst, clfTime)
	dst = append(dst, "] "...)
	dst = appendRequestLine(dst, e)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	dst = append(dst, ' ')
	if e.Bytes == 0 {
		return append(dst, '-')
	}
	return strconv.AppendInt(dst, e.Bytes, 10)
}

// AppendCombined appends the Combined Log Format line for e: Common, then
// "\"%{Referer}i\" \"%{User-agent}i\"", with "-" for an absent field.
func AppendCombined(dst []byte, e *Entry) []byte {
	dst = appendCommon(dst, e)
	dst = append(dst, ' ')
	dst = appendQuotedOrDash(dst, e.Referer)
	dst = append(dst, ' ')
	dst = appendQuotedOrDash(dst, e.UserAgent)
	return append(dst, '\n')
}

// AppendJSON appends e as one JSON object and a newline. The fields, in
// this order: "time" (RFC 3339 with milliseconds, when the request
// arrived), "remote" (client host), "method", "uri", "proto", "status",
// "bytes" (body bytes sent), "duration_ms" (float), "referer" and
// "user_agent" (empty strings when absent).
func AppendJSON(dst []byte, e *Entry) []byte {
	dst = append(dst, `{"time":"`...)
	dst = e.Start.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	dst = append(dst, `","remote":`...)
	dst = appendJSONString(dst, host(e.RemoteAddr))
	dst = append(dst, `,"method":`...)
	dst = appendJSONString(dst, e.Method)
	dst = append(dst, `,"uri":`...)
	dst = appendJSONString(dst, e.RequestURI)
	dst = append(dst, `,"proto":`...)
	dst = appendJSONString(dst, e.Proto)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	dst = append(dst, `,"bytes":`...)
	dst = strconv.AppendInt(dst, e.Bytes, 10)
	dst = append(dst, `,"duration_ms":`...)
	dst = appendMillis(dst, e.Duration)
	dst = append(dst, `,"referer":`...)
	dst = appendJSONString(dst, e.Referer)
	dst = append(dst, `,"user_agent":`...)
	dst = appendJSONString(dst, e.UserAgent)
	return append(dst, "}\n"...)
}

// Append appends e's line in format f.
func (f Format) Append(dst []byte, e *Entry, style StatusStyle) []byte {
	switch f {
	case Common:
		return AppendCommon(dst, e)
	case Combined:
		return AppendCombined(dst, e)
	case JSON:
		return AppendJSON(dst, e)
	default:
		return AppendConsole(dst, e, style)
	}
}

// appendRequestLine appends "METHOD URI PROTO" in double quotes, escaped
// as Apache escapes %r: a client controls these bytes, and a raw quote or
// newline would let it forge log lines.
func appendRequestLine(dst []byte, e *Entry) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, e.Method)
	dst = append(dst, ' ')
	dst = appendEscaped(dst, e.RequestURI)
	dst = append(dst, ' ')
	dst = appendEscaped(dst, e.Proto)
	return append(dst, '"')
}

func appendQuotedOrDash(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, `"-"`...)
	}
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s with '"' and '\' backslash-escaped and control
// bytes and bytes above 0x7E as \xhh, as Apache does in its logs.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 || c > 0x7e:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendJSONString appends s as a JSON string. Bytes outside printable
// ASCII become \u00XX escapes of the byte (not of a decoded rune), which
// keeps every line valid JSON whatever the client sent.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 || c > 0x7e:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// appendMillis appends d in milliseconds with two decimals: 0.42.
func appendMillis(dst []byte, d time.Duration) []byte {
	return strconv.AppendFloat(dst, float64(d)/float64(time.Millisecond), 'f', 2, 64)
}
