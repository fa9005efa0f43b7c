package stages

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// OrderFile names the file in each script directory that lists its
// scripts from the most basic check to the most demanding, one base name
// a line (`echo` for echo.txtar); lines starting with # are comments.
// A learner fixes the first failure first, so the first failure's hint
// should name the most basic cause: a server that echoes only its first
// read must fail ch01-echo, not ch01-concurrent.
const OrderFile = "order.txt"

// sortScripts sorts script paths in place: by directory in course order
// (ch02 before ch03 … before final, so what a stage keeps from earlier
// stages comes first), then in the order the directory's OrderFile
// declares. A script its directory's file does not list goes last.
func sortScripts(fsys fs.FS, files []string) error {
	rank := map[string]int{}
	for _, dir := range dirsOf(files) {
		names, err := ReadOrder(fsys, dir)
		if err != nil {
			return err
		}
		for i, name := range names {
			rank[path.Join(dir, name+".txtar")] = i
		}
	}
	position := func(f string) int {
		if i, ok := rank[f]; ok {
			return i
		}
		return len(rank) // unlisted: after every listed script
	}
	slices.SortStableFunc(files, func(a, b string) int {
		if c := strings.Compare(path.Dir(a), path.Dir(b)); c != 0 {
			return c
		}
		if c := position(a) - position(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return nil
}

// dirsOf lists the directories of files, each once.
func dirsOf(files []string) []string {
	var dirs []string
	for _, f := range files {
		if d := path.Dir(f); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// ReadOrder returns the script names a directory's OrderFile lists, in
// order; none when the directory has no such file.
func ReadOrder(fsys fs.FS, dir string) ([]string, error) {
	data, err := fs.ReadFile(fsys, path.Join(dir, OrderFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the check order: %w", err)
	}
	var names []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, strings.TrimSuffix(line, ".txtar"))
	}
	return names, nil
}
