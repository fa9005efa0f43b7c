package final

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch06"
)

// This file holds what a prefork master does with --config: it reads the
// file once, hands its content to every worker it starts, and on SIGHUP
// reads it again, checks it, and hands the new content to the reload's
// workers; if they refuse it, the reload fails and the old content stays.
// As in Gunicorn, whose master loads the configuration and forks workers
// with it, a worker never reads the file itself: one edited into a broken
// state, or half-edited, reaches no worker until a HUP has tried it, and a
// worker replaced after a crash runs the configuration the others run.

// configEnv carries the --config file's content from a master to its
// workers.
const configEnv = "FINAL_CONFIG"

// workerConfig returns the configuration a master handed this process, if
// it is one of its workers.
func workerConfig(getenv func(string) string) (string, bool) {
	if !ch06.IsWorker(getenv) {
		return "", false
	}
	s := getenv(configEnv)
	return s, s != ""
}

// ConfigFile is the --config flag: kong.ConfigFlag, except in a worker
// whose master handed it the configuration (configEnv), which it reads
// instead, without opening the file: a file deleted, moved or made
// unreadable since the master started must not stop a worker starting.
type ConfigFile string

// BeforeResolve adds the configuration's resolver, as kong.ConfigFlag does.
func (c ConfigFile) BeforeResolve(k *kong.Kong, ctx *kong.Context, trace *kong.Path) error {
	if s, ok := workerConfig(os.Getenv); ok {
		res, err := LoadConfig(strings.NewReader(s))
		if err != nil {
			return fmt.Errorf("the configuration from the master: %w", err)
		}
		ctx.AddResolver(namedResolver{res, "the configuration from the master"})
		return nil
	}
	path := string(ctx.FlagValue(trace.Flag).(ConfigFile))
	res, err := k.LoadConfig(path)
	if err != nil {
		return configError(path, err)
	}
	ctx.AddResolver(namedResolver{res, "--config " + path})
	return nil
}

// configError is err, about the --config file at path, led by the flag
// and the path; a file error's own operation and path, which would say
// the path twice, are left out.
func configError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("--config %s: %w", path, err)
}

// namedResolver is a configuration's resolver whose complaints say which
// configuration they are about.
type namedResolver struct {
	kong.Resolver
	name string
}

// Validate is the resolver's, its error led by the configuration's name.
func (r namedResolver) Validate(app *kong.Application) error {
	if err := r.Resolver.Validate(app); err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	return nil
}

// maxConfig bounds a --config file a master hands to its workers: Linux
// takes at most 128 KiB in one environment string.
const maxConfig = 64 << 10

// masterConfig is the --config file as a master's workers run it.
type masterConfig struct {
	path  string
	start string // the file as the master started with it

	mu     sync.Mutex // one HUP at a time
	file   string     // the file as the workers run it: start, or a HUP's
	handed string     // what the workers get of it (handed)
}

// readMasterConfig reads path, the --config the master started with; ""
// is none (and a nil *masterConfig).
func readMasterConfig(path string) (*masterConfig, error) {
	if path == "" {
		return nil, nil
	}
	c := &masterConfig{path: path}
	content, err := c.read()
	if err != nil {
		return nil, err
	}
	c.start, c.file = content, content
	if c.handed, err = c.hand(content); err != nil {
		return nil, err
	}
	return c, nil
}

// env is what a worker gets to read content.
func env(content string) []string {
	return []string{configEnv + "=" + content}
}

// read reads the file and checks it as a configuration of its own: a JSON
// object of known keys with values of the right types, small enough to
// hand to a worker. What only the whole command line can judge (a flag
// that needs another one) is the new workers' to check, at their start:
// a worker that refuses it fails the reload, which is then undone.
func (c *masterConfig) read() (string, error) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return "", configError(c.path, err)
	}
	if len(b) > maxConfig {
		return "", fmt.Errorf("--config %s: %d bytes, over the %d a master hands its workers", c.path, len(b), maxConfig)
	}
	if _, err := parseConfig(string(b)); err != nil {
		return "", configError(c.path, err)
	}
	return string(b), nil
}

// masterOnly are the settings a running master has acted on already: a
// HUP does not change them (a USR2 upgrade starts a master that reads
// them again), and its workers get them as the master started with them
// (hand). graceful-timeout is among them: the master kills a worker still
// running a second past its own.
var masterOnly = []string{"host", "port", "bind", "workers", "pid", "graceful-timeout", "worker-timeout", "ready-timeout"}

func isMasterOnly(key string) bool {
	return slices.Contains(masterOnly, strings.ReplaceAll(key, "_", "-"))
}

// hand returns content, a configuration that parses, as the workers get
// it: its masterOnly keys replaced by those of the file the master
// started with, so that a worker sees the master's values (the command
// line, the same for both, wins over either).
func (c *masterConfig) hand(content string) (string, error) {
	var next, start map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &next); err != nil {
		return "", configError(c.path, err)
	}
	if err := json.Unmarshal([]byte(c.start), &start); err != nil {
		return "", configError(c.path, err)
	}
	maps.DeleteFunc(next, func(k string, _ json.RawMessage) bool { return isMasterOnly(k) })
	for k, v := range start {
		if isMasterOnly(k) {
			next[k] = v
		}
	}
	b, err := json.Marshal(next)
	if err != nil {
		return "", configError(c.path, err)
	}
	return string(b), nil
}

// parseConfig parses content as a --config file through Flags, as Run
// parses one, and returns its values by flag name.
func parseConfig(content string) (configResolver, error) {
	res, err := LoadConfig(strings.NewReader(content))
	if err != nil {
		return nil, err
	}
	var flags Flags
	parser, err := kong.New(&flags, kong.Resolvers(res), kong.Exit(func(int) {}))
	if err != nil {
		return nil, err
	}
	if _, err := parser.Parse(nil); err != nil {
		return nil, err
	}
	return res.(configResolver), nil
}

// reload handles SIGHUP for m, whose workers run exe: with --config, the
// file is read again and checked, and handed to the reload's workers. A
// file that fails the check stops the reload before any worker starts.
// One that the new workers refuse (a flag that needs another, an access
// log that does not open) fails the reload, and is undone: the old
// configuration goes back to the master's hand, and the workers that the
// reload had replaced with the new one are replaced again. The workers
// replacing others later get the configuration that runs, never one that
// failed.
func (c *masterConfig) reload(m *ch06.Master, exe string, logf func(string, ...any)) {
	if c == nil {
		logf("final: SIGHUP: replacing every worker, with %s", exe)
		if err := m.Reload(); err != nil {
			logf("final: SIGHUP: %v", err)
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next, err := c.read()
	var handed string
	if err == nil {
		handed, err = c.hand(next)
	}
	if err != nil {
		logf("final: SIGHUP: %v: not reloading; the workers keep the configuration they run", err)
		return
	}
	if ignored := changed(c.file, next); len(ignored) > 0 {
		logf("final: SIGHUP: %s changed in %s: a running master keeps them (USR2 starts one that reads them)", strings.Join(ignored, ", "), c.path)
	}
	logf("final: SIGHUP: replacing every worker, with %s and %s", exe, c.path)
	m.SetEnv(env(handed))
	err = m.Reload()
	if err == nil {
		c.file, c.handed = next, handed
		return
	}
	m.SetEnv(env(c.handed))
	var partial *ch06.ReloadError
	if !errors.As(err, &partial) || partial.Replaced == 0 {
		logf("final: SIGHUP: %v; the workers keep the configuration they run", err)
		return
	}
	logf("final: SIGHUP: %v; undoing it: every worker again, with the old configuration (%d had the new one)", err, partial.Replaced)
	if err := m.Reload(); err != nil {
		logf("final: SIGHUP: undoing the reload: %v: workers may run either configuration until the next HUP", err)
	}
}

// changed returns the masterOnly keys whose values differ between two
// configurations that parse.
func changed(prev, next string) []string {
	p, _ := parseConfig(prev)
	n, _ := parseConfig(next)
	var keys []string
	for _, k := range masterOnly {
		if fmt.Sprint(p[k]) != fmt.Sprint(n[k]) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
