package final

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/httpfromscratch/course/chapters/ch06"
)

// This file holds what a prefork master does with --config: it reads the
// file once, hands its content to every worker it starts, and on SIGHUP
// reads it again, checks it, and hands the new content to the reload's
// workers only if it is good. As in Gunicorn, whose master loads the
// configuration and forks workers with it, a worker never reads the file
// itself: one edited into a broken state, or half-edited, reaches no
// worker until a HUP has checked it, and a worker replaced after a crash
// runs the configuration the others run.

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

// masterConfig is the --config file as the master last checked it.
type masterConfig struct {
	path    string
	content string
}

// readMasterConfig reads path, the --config the master started with; ""
// is none. The master's own flags came from it a moment ago, so it is
// checked already, unless it changed since: then it is checked as on HUP.
func readMasterConfig(path string) (*masterConfig, error) {
	if path == "" {
		return nil, nil
	}
	c := &masterConfig{path: path}
	if _, err := c.reread(); err != nil {
		return nil, err
	}
	return c, nil
}

// env is what a worker gets to read c's content.
func (c *masterConfig) env() []string {
	if c == nil {
		return nil
	}
	return []string{configEnv + "=" + c.content}
}

// reread reads the file again and checks it as a configuration of its
// own (known keys, values of the right type, Flags.Check), and takes it
// only if it passes. It returns the keys that changed and only a master's
// start applies (masterOnly).
func (c *masterConfig) reread() (ignored []string, err error) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, fmt.Errorf("--config %s: %w", c.path, err)
	}
	next, err := checkConfig(string(b))
	if err != nil {
		return nil, fmt.Errorf("--config %s: %w", c.path, err)
	}
	if c.content != "" {
		prev, _ := checkConfig(c.content)
		for _, k := range masterOnly {
			if fmt.Sprint(prev[k]) != fmt.Sprint(next[k]) {
				ignored = append(ignored, k)
			}
		}
	}
	c.content = string(b)
	return ignored, nil
}

// masterOnly are the settings a running master has acted on already: a
// HUP does not change them (a USR2 upgrade starts a master that reads
// them again).
var masterOnly = []string{"host", "port", "bind", "workers", "pid", "graceful-timeout", "worker-timeout", "ready-timeout"}

// checkConfig parses content as a --config file alone, through Flags as
// Run parses it, and runs Flags.Check, returning its values by flag name.
func checkConfig(content string) (configResolver, error) {
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
	if err := flags.Check(); err != nil {
		return nil, err
	}
	values := res.(configResolver)
	return maps.Clone(values), nil
}

// reloadWith handles SIGHUP for m: the configuration read again and
// checked first, then the workers replaced with it. A configuration that
// fails its check stops the reload before any worker starts: the workers
// go on with the one they run, and so will their replacements.
func reloadWith(m *ch06.Master, c *masterConfig, logf func(string, ...any)) {
	if c != nil {
		ignored, err := c.reread()
		if err != nil {
			logf("final: SIGHUP: %v: not reloading; the workers keep the configuration they run", err)
			return
		}
		if len(ignored) > 0 {
			slices.Sort(ignored)
			logf("final: SIGHUP: %s changed in %s: a running master keeps them (USR2 starts one that reads them)", strings.Join(ignored, ", "), c.path)
		}
		m.SetEnv(c.env())
	}
	m.HandleSignal(syscall.SIGHUP)
}
