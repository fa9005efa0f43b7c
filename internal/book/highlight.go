package book

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// The chroma styles code is colored with, by the reader's preference.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// formatter writes highlighted code with CSS classes, not inline colors,
// so one page serves both light and dark readers.
var formatter = chromahtml.New(chromahtml.WithClasses(true))

//go:embed static/book.css
var bookCSS []byte

// styleSheet returns the book's CSS followed by chroma's, each style
// under its own prefers-color-scheme media query: the two styles color
// different token classes, so neither may leak into the other's scheme.
func styleSheet() ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(bookCSS)
	for _, s := range []struct{ scheme, style string }{{"light", lightStyle}, {"dark", darkStyle}} {
		fmt.Fprintf(&buf, "\n/* Code, %s: chroma's %s */\n@media (prefers-color-scheme: %s) {\n", s.scheme, s.style, s.scheme)
		if err := formatter.WriteCSS(&buf, styles.Get(s.style)); err != nil {
			return nil, err
		}
		buf.WriteString("}\n")
	}
	return buf.Bytes(), nil
}

// codeRenderer renders code blocks: highlighted when their language is
// known, in a figure captioned with the excerpt's source file when the
// lesson names one. It also renders inline raw HTML as the text it is
// (a lesson's <date> in prose means the word, not a tag), and drops
// inline HTML comments.
type codeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderCode)
	reg.Register(ast.KindCodeBlock, renderCode)
	reg.Register(ast.KindRawHTML, renderRawHTML)
}

func renderRawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	var raw strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		raw.Write(seg.Value(src))
	}
	if !strings.HasPrefix(raw.String(), "<!--") {
		if _, err := w.WriteString(html.EscapeString(raw.String())); err != nil {
			return ast.WalkStop, err
		}
	}
	return ast.WalkSkipChildren, nil
}

func renderCode(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var lang string
	if f, ok := node.(*ast.FencedCodeBlock); ok {
		lang = string(f.Language(src))
	}
	var code strings.Builder
	for i := 0; i < node.Lines().Len(); i++ {
		line := node.Lines().At(i)
		code.Write(line.Value(src))
	}
	open := `<figure class="code">`
	if from, ok := node.AttributeString(fromAttr); ok {
		if b, ok := from.([]byte); ok {
			open += `<figcaption>from <code>` + html.EscapeString(string(b)) + `</code></figcaption>`
		}
	}
	if _, err := w.WriteString(open); err != nil {
		return ast.WalkStop, err
	}
	if err := highlight(w, lang, code.String()); err != nil {
		return ast.WalkStop, err
	}
	if _, err := w.WriteString("</figure>\n"); err != nil {
		return ast.WalkStop, err
	}
	return ast.WalkSkipChildren, nil
}

// highlight writes code as a <pre>, colored if chroma knows lang.
func highlight(w util.BufWriter, lang, code string) error {
	var lexer chroma.Lexer
	if lang != "" {
		lexer = lexers.Get(lang)
	}
	if lexer == nil {
		_, err := w.WriteString(`<pre class="chroma plain"><code>` + html.EscapeString(code) + "</code></pre>")
		return err
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return err
	}
	return formatter.Format(w, styles.Get(lightStyle), it)
}
