package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/diagsante/diagsante/datasets/update"
)

// maxConfigFile bounds diagsante.yaml: the example is 1 KB.
const maxConfigFile = 1 << 20

// batchJobKeys are the settings a batch job of the configuration may hold.
var batchJobKeys = []string{"departement", "by", "out", "jobs", "format", "force", "csv-locale"}

// A configDoc is diagsante.yaml as written: where each setting is, so that
// an error names its line, and the warnings about keys nothing reads.
type configDoc struct {
	Path string
	// Lines maps a lower-case key path ("limit", "batches.lozere.jobs",
	// "territories.sud") to its line.
	Lines    map[string]int
	Warnings []string
	// Sources are the overrides of `sources:`, the official files that
	// `datasets update` downloads.
	Sources map[string]update.Override
}

// where names the origin of a setting: the line of the config file.
func (d *configDoc) where(key string) string {
	if d == nil {
		return "config"
	}
	if n, ok := d.Lines[key]; ok {
		return fmt.Sprintf("config %s:%d", d.Path, n)
	}
	return "config " + d.Path
}

// readConfigFile reads a config file of bounded size.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("config %s is a folder: give a YAML file such as diagsante.yaml", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("config %s: larger than 1 MB: not a diagsante configuration", path)
	}
	return b, nil
}

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseConfig checks a configuration against what the program reads:
// YAML syntax, a mapping at the top, the shape of `territories:` and
// `batches:`, and, for the other keys, that they name a flag (known) and
// hold a value or a list of values. Errors name the file and the line;
// unknown keys are warnings, since a newer configuration may be shared with
// an older program.
func parseConfig(path string, b []byte, known func(string) bool) (*configDoc, error) {
	d := &configDoc{Path: path, Lines: map[string]int{}}
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("config %s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("config %s: not UTF-8 text: save it as UTF-8", path)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		msg := err.Error()
		if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			return nil, fail(n, "%s (YAML syntax)", m[2])
		}
		return nil, fmt.Errorf("config %s: %s (YAML syntax)", path, strings.TrimPrefix(msg, "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return d, nil // empty file
	}
	top := deref(doc.Content[0])
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return d, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fail(top.Line, "want settings as `key: value` lines, found %s", kindName(top))
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], deref(top.Content[i+1])
		key := strings.ToLower(k.Value)
		d.Lines[key] = k.Line
		switch {
		case key == "territories":
			if err := checkNamedTerritories(d, v, fail); err != nil {
				return nil, err
			}
		case key == "batches":
			if err := checkBatches(d, v, fail); err != nil {
				return nil, err
			}
		case key == "sources":
			if err := checkSources(d, v, fail); err != nil {
				return nil, err
			}
		case known(key):
			if err := checkSettingValue(key, v, fail); err != nil {
				return nil, err
			}
		default:
			d.Warnings = append(d.Warnings, fmt.Sprintf("config %s:%d: unknown key %s is ignored (flags, territories:, batches: and sources: are read)", path, k.Line, echo(k.Value)))
		}
	}
	return d, nil
}

type failFunc func(line int, format string, args ...any) error

func checkNamedTerritories(d *configDoc, v *yaml.Node, fail failFunc) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fail(v.Line, "territories: want a mapping of names to lists of territories, found %s", kindName(v))
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, list := v.Content[i], deref(v.Content[i+1])
		d.Lines["territories."+strings.ToLower(name.Value)] = name.Line
		items := []*yaml.Node{list}
		if list.Kind == yaml.SequenceNode {
			items = list.Content
		}
		for _, it := range items {
			it = deref(it)
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				return fail(it.Line, "territories: %s: want a list of territories (codes, names, epci:…, @file), found %s", name.Value, kindName(it))
			}
			if err := checkItem(fmt.Sprintf("config %s:%d: territories: %s", d.Path, it.Line, name.Value), it.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkBatches(d *configDoc, v *yaml.Node, fail failFunc) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fail(v.Line, "batches: want a mapping of job names to settings, found %s", kindName(v))
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, job := v.Content[i], deref(v.Content[i+1])
		prefix := "batches." + strings.ToLower(name.Value)
		d.Lines[prefix] = name.Line
		if job.Kind != yaml.MappingNode {
			return fail(job.Line, "batches: %s: want settings (departement:, by:, out:…), found %s", name.Value, kindName(job))
		}
		for j := 0; j+1 < len(job.Content); j += 2 {
			k, val := job.Content[j], deref(job.Content[j+1])
			key := strings.ToLower(k.Value)
			d.Lines[prefix+"."+key] = k.Line
			if !contains(batchJobKeys, key) {
				d.Warnings = append(d.Warnings, fmt.Sprintf("config %s:%d: batches: %s: unknown key %s is ignored (%s are read)", d.Path, k.Line, name.Value, echo(k.Value), strings.Join(batchJobKeys, ", ")))
				continue
			}
			if err := checkSettingValue("batches: "+name.Value+": "+key, val, fail); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourceKeys are the settings of a source of `sources:`.
var sourceKeys = []string{"dataset", "match", "url"}

// checkSources reads `sources:`, the overrides of the official files that
// `datasets update` downloads: for a known source key, a data.gouv.fr
// dataset and the pattern that picks its resource, or a plain URL.
func checkSources(d *configDoc, v *yaml.Node, fail failFunc) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fail(v.Line, "sources: want a mapping of sources (%s) to settings, found %s", strings.Join(update.Keys(), ", "), kindName(v))
	}
	d.Sources = map[string]update.Override{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, src := v.Content[i], deref(v.Content[i+1])
		key := strings.ToLower(name.Value)
		d.Lines["sources."+key] = name.Line
		if !contains(update.Keys(), key) {
			return fail(name.Line, "sources: unknown source %s (known: %s)", echo(name.Value), strings.Join(update.Keys(), ", "))
		}
		if src.Kind != yaml.MappingNode {
			return fail(src.Line, "sources: %s: want settings (dataset:, match:, url:), found %s", name.Value, kindName(src))
		}
		var o update.Override
		for j := 0; j+1 < len(src.Content); j += 2 {
			k, val := src.Content[j], deref(src.Content[j+1])
			sk := strings.ToLower(k.Value)
			if !contains(sourceKeys, sk) {
				return fail(k.Line, "sources: %s: unknown key %s (%s are read)", name.Value, echo(k.Value), strings.Join(sourceKeys, ", "))
			}
			if val.Kind != yaml.ScalarNode || val.Tag == "!!null" || strings.TrimSpace(val.Value) == "" {
				return fail(val.Line, "sources: %s: %s: want a value, found %s", name.Value, sk, kindName(val))
			}
			switch sk {
			case "dataset":
				o.Dataset = val.Value
			case "match":
				if _, err := regexp.Compile(val.Value); err != nil {
					return fail(val.Line, "sources: %s: match: not a regular expression: %v", name.Value, err)
				}
				o.Match = val.Value
			case "url":
				if u, err := url.Parse(val.Value); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
					return fail(val.Line, "sources: %s: url: want an http(s) address, found %s", name.Value, echo(val.Value))
				}
				o.URL = val.Value
			}
		}
		if o.Dataset != "" && o.URL != "" {
			return fail(name.Line, "sources: %s: give dataset: or url:, not both", name.Value)
		}
		d.Sources[key] = o
	}
	return nil
}

// checkSettingValue accepts a value or a list of values.
func checkSettingValue(key string, v *yaml.Node, fail failFunc) error {
	switch v.Kind {
	case yaml.ScalarNode:
		return nil
	case yaml.SequenceNode:
		for _, it := range v.Content {
			if it = deref(it); it.Kind != yaml.ScalarNode {
				return fail(it.Line, "%s: want a value or a list of values, found %s in the list", key, kindName(it))
			}
		}
		return nil
	}
	return fail(v.Line, "%s: want a value or a list of values, found %s", key, kindName(v))
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return "the value " + echo(n.Value)
	}
	return "something else"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// configKnown returns whether a key names a flag of some command.
func configKnown(root *cobra.Command) func(string) bool {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.PersistentFlags(), c.LocalFlags(), c.Flags()} {
			fs.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	delete(names, "config")
	delete(names, "help")
	return func(k string) bool { return names[k] }
}

// settingString turns a configuration value into flag syntax: a list
// becomes comma-separated (`format: [html, json]` is --format html,json).
func settingString(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(x, ",")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// envName is the environment variable of a setting.
func envName(key string) string {
	return "DIAGSANTE_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
}

// setFromConfig sets a flag from a configuration or environment value;
// where names the origin. A value of the wrong type is reported in the
// user's words, with the setting's name and where it comes from.
func setFromConfig(fs *pflag.FlagSet, f *pflag.Flag, value any, where, key string) error {
	s := settingString(value)
	if err := fs.Set(f.Name, s); err != nil {
		want := map[string]string{
			"int": "a whole number", "int64": "a whole number", "int32": "a whole number", "uint": "a whole number ≥ 0",
			"bool": "true or false", "float64": "a number", "duration": "a duration such as 30s",
		}[f.Value.Type()]
		if want == "" {
			var ne *strconv.NumError
			if errors.As(err, &ne) {
				want = "a number"
			} else {
				want = "a valid value for --" + f.Name
			}
		}
		return usageErr(fmt.Errorf("%s: %s: %s is not %s", where, key, echo(s), want))
	}
	return nil
}

// configWhere names the origin of the value of key: the environment
// variable when one is set (it wins over the file), else the file's line.
func (o *globalOptions) configWhere(key string) string {
	if env := envName(key); os.Getenv(env) != "" {
		return "environment variable " + env
	}
	return o.cfgDoc.where(key)
}
