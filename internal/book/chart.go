package book

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// bar is one server's row in a chart.
type bar struct {
	Label string
	// Value is the bar's length in the chart's unit; Text says it.
	Value float64
	Text  string
	// Note replaces the bar when the server has no value: skipped, or
	// failed.
	Note string
	// Baseline marks the server the others are compared against.
	Baseline bool
}

// chart is a horizontal bar chart, one row per server, drawn as SVG on
// the server: the page needs no script and no library.
type chart struct {
	Title string // what the bars measure, for screen readers
	Bars  []bar
}

// Chart geometry, in SVG user units (CSS pixels at 1:1).
const (
	chartWidth  = 640
	labelWidth  = 96  // server names, right-aligned, left of the bars
	valueWidth  = 190 // the value's text, right of the longest bar
	rowHeight   = 30
	barHeight   = 20
	chartMargin = 6
)

// chartRow is a bar laid out.
type chartRow struct {
	bar
	LabelX, TextY, BarX, BarY, BarW, BarH, ValueX string
}

var chartTemplate = template.Must(template.New("chart").Parse(
	`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}">` +
		`<title>{{.Title}}</title>` +
		`{{range .Rows}}<g class="row{{if .Baseline}} baseline{{end}}">` +
		`<text class="label" x="{{.LabelX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>` +
		`{{if .Note}}<text class="note" x="{{.BarX}}" y="{{.TextY}}">{{.Note}}</text>` +
		`{{else}}<rect class="bar" x="{{.BarX}}" y="{{.BarY}}" width="{{.BarW}}" height="{{.BarH}}" rx="3"><title>{{.Label}}: {{.Text}}</title></rect>` +
		`<text class="value" x="{{.ValueX}}" y="{{.TextY}}">{{.Text}}</text>{{end}}` +
		`</g>{{end}}</svg>`))

// svg draws the chart. Bars are scaled to the largest value.
func (c chart) svg() (template.HTML, error) {
	maxV := 0.0
	for _, b := range c.Bars {
		if b.Note == "" {
			maxV = math.Max(maxV, b.Value)
		}
	}
	span := float64(chartWidth - labelWidth - valueWidth - 2*chartMargin)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	rows := make([]chartRow, 0, len(c.Bars))
	for i, b := range c.Bars {
		y := float64(chartMargin + i*rowHeight)
		w := 0.0
		if maxV > 0 {
			w = math.Max(1, b.Value/maxV*span) // a zero still shows as a sliver
		}
		barX := float64(labelWidth + chartMargin)
		rows = append(rows, chartRow{
			bar:    b,
			LabelX: f(labelWidth - chartMargin),
			TextY:  f(y + rowHeight/2 + 4),
			BarX:   f(barX),
			BarY:   f(y + (rowHeight-barHeight)/2),
			BarW:   f(w),
			BarH:   f(barHeight),
			ValueX: f(barX + w + chartMargin),
		})
	}
	var buf bytes.Buffer
	err := chartTemplate.Execute(&buf, map[string]any{
		"Title": c.Title, "Rows": rows,
		"W": chartWidth, "H": 2*chartMargin + len(c.Bars)*rowHeight,
	})
	if err != nil {
		return "", fmt.Errorf("draw chart: %w", err)
	}
	return template.HTML(buf.String()), nil // html/template escaped every value
}

// thousands writes n rounded, with commas between thousands: 12,345.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(math.Round(n)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var sb strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(r)
	}
	if neg {
		return "-" + sb.String()
	}
	return sb.String()
}

// millis writes a latency in milliseconds with three significant digits
// or so: 0.123 ms, 1.23 ms, 12.3 ms, 123 ms.
func millis(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 3, 64) + " ms"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	default:
		return thousands(ms) + " ms"
	}
}
