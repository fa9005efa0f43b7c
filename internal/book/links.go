package book

import (
	"net/url"
	"path"
	"strings"
)

// resolve returns the book's URL for dest, a link or image destination
// in a lesson in directory dir ("chapters/ch06"). A destination naming a
// lesson, relative to the lesson (../ch05/README.md) or to the repository
// (chapters/ch05/README.md), becomes the lesson's page (/ch05), its
// fragment kept; one naming an image beside a lesson becomes the image's
// URL (/ch05/wire.svg). Anything else, such as an absolute URL or an
// anchor in the same page, is left as it is.
func (b *Book) resolve(dir, dest string) string {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") {
		return dest
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return dest
	}
	suffix := ""
	if u.RawQuery != "" {
		suffix += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		suffix += "#" + u.EscapedFragment()
	}
	for _, p := range []string{path.Join(dir, u.Path), path.Clean(u.Path)} {
		if page, ok := b.page(p); ok {
			return page + suffix
		}
	}
	return dest
}

// page maps a repository path to the book's URL for it: a lesson or its
// directory to the lesson's page, an image beside a lesson to its URL,
// the course's README to the index.
func (b *Book) page(p string) (string, bool) {
	if p == "README.md" || p == "." {
		return "/", true
	}
	for _, st := range b.cfg.Stages {
		dir := stageDir(st)
		switch {
		case p == st.LessonPath() || p == dir:
			return "/" + st.ID, true
		case path.Dir(p) == dir && isImage(p):
			// Whether or not it is there yet: an image drawn later
			// shows up without touching the lesson.
			return "/" + st.ID + "/" + path.Base(p), true
		}
	}
	return "", false
}

// imageTypes are the files the book serves from beside a lesson, with
// their content types.
var imageTypes = map[string]string{
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
}

// isImage reports whether name is an image the book serves.
func isImage(name string) bool {
	_, ok := imageTypes[strings.ToLower(path.Ext(name))]
	return ok
}
