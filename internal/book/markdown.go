package book

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/httpfromscratch/course/internal/stages"
)

// lesson is a lesson rendered to HTML.
type lesson struct {
	Title   string        // the first level-1 heading, as text
	TitleID string        // its id
	Body    template.HTML // the lesson without its title
	TOC     []tocEntry    // its level-2 headings
}

// tocEntry is one heading in a lesson's table of contents.
type tocEntry struct {
	ID, Text string
}

// lessonDirKey carries the lesson's directory ("chapters/ch06") to the
// AST transformer, per render.
var lessonDirKey = parser.NewContextKey()

// newMarkdown returns the goldmark converter the book renders lessons
// with: GitHub's Markdown (tables, strikethrough, autolinks, task lists),
// an id on every heading, links rewritten for the book, source captions,
// and code highlighted by chroma.
func (b *Book) newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(&bookTransformer{b: b}, 100)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(codeRenderer{}, 100)),
		),
	)
}

// renderLesson renders a stage's lesson, once; later calls return the
// same page.
func (b *Book) renderLesson(st stages.Stage) (*lesson, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.lessons[st.ID]; ok {
		return l, nil
	}
	src, err := fs.ReadFile(b.cfg.Files, st.LessonPath())
	if err != nil {
		return nil, fmt.Errorf("the %s lesson is not written yet", st.ID)
	}
	l, err := b.convert(src, stageDir(st))
	if err != nil {
		return nil, fmt.Errorf("render the %s lesson: %w", st.ID, err)
	}
	b.lessons[st.ID] = l
	return l, nil
}

// convert renders Markdown from the lesson directory dir.
func (b *Book) convert(src []byte, dir string) (*lesson, error) {
	md := b.newMarkdown()
	pc := parser.NewContext()
	pc.Set(lessonDirKey, dir)
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	l := &lesson{}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		switch {
		case h.Level == 1 && l.Title == "":
			l.Title, l.TitleID = plainText(h, src), headingID(h)
		case h.Level == 2:
			l.TOC = append(l.TOC, tocEntry{ID: headingID(h), Text: plainText(h, src)})
		}
	}
	if l.Title != "" {
		// The page shows the title above the learner's status and the
		// table of contents, and the lesson's text after them.
		first := doc.FirstChild()
		for ; first != nil; first = first.NextSibling() {
			if h, ok := first.(*ast.Heading); ok && h.Level == 1 {
				break
			}
		}
		doc.RemoveChild(doc, first)
	}
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, err
	}
	l.Body = template.HTML(buf.String()) // goldmark escapes text; raw HTML is shown as text
	return l, nil
}

// headingID is the id goldmark gave a heading.
func headingID(h *ast.Heading) string {
	id, _ := h.AttributeString("id")
	b, _ := id.([]byte)
	return string(b)
}

// plainText is the text of an inline container such as a heading,
// without markup.
func plainText(n ast.Node, src []byte) string {
	var sb strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) { // the walker returns no error
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			sb.Write(t.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return sb.String()
}

// fromComment matches the comment that names an excerpt's source file.
var fromComment = regexp.MustCompile(`^<!--\s*from:\s*(\S+)\s*-->\s*$`)

// fromAttr is the attribute a code block carries its source file in,
// from the transformer to the renderer.
const fromAttr = "data-from"

// bookTransformer rewrites a parsed lesson for the book: links and image
// sources resolved against the lesson's directory, and HTML comments
// dropped, those naming an excerpt's source kept as the next code
// block's caption.
type bookTransformer struct{ b *Book }

// Transform implements parser.ASTTransformer.
func (t *bookTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	dir, _ := pc.Get(lessonDirKey).(string)
	src := reader.Source()
	var comments []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) { // the walker returns no error
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = []byte(t.b.resolve(dir, string(n.Destination)))
		case *ast.Image:
			n.Destination = []byte(t.b.resolve(dir, string(n.Destination)))
		case *ast.HTMLBlock:
			block := blockText(n, src)
			if !strings.HasPrefix(block, "<!--") {
				break
			}
			comments = append(comments, n)
			m := fromComment.FindStringSubmatch(block)
			if m == nil {
				break
			}
			switch next := n.NextSibling().(type) {
			case *ast.FencedCodeBlock, *ast.CodeBlock:
				next.SetAttributeString(fromAttr, []byte(m[1]))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, c := range comments {
		c.Parent().RemoveChild(c.Parent(), c)
	}
}

// blockText is an HTML block's source, trimmed.
func blockText(n *ast.HTMLBlock, src []byte) string {
	var sb strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		line := n.Lines().At(i)
		sb.Write(line.Value(src))
	}
	if n.HasClosure() {
		sb.Write(n.ClosureLine.Value(src))
	}
	return strings.TrimSpace(sb.String())
}
