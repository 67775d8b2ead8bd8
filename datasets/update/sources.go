// Package update finds the current official files of the sources the tool
// reads (on data.gouv.fr, or at a plain URL), downloads them into a cache
// folder — resumably, with their checksum verified — and recognises a file
// by its content. `diagsante datasets update` imports what it fetched with
// the importer, as `datasets import` does; nothing here runs unless the
// user asks for it: the tool never downloads anything on its own.
package update

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// DefaultAPIBase is the data.gouv.fr API the sources are looked up in.
const DefaultAPIBase = "https://www.data.gouv.fr/api/1"

// A Source is where the current file of one kind of data is published:
// a data.gouv.fr dataset (its id or slug) and the rule that picks its
// resource, or a plain URL.
type Source struct {
	// Key names the source on the command line (--only) and in
	// diagsante.yaml (sources.<key>).
	Key string
	// Label says what the source is, in the command's output.
	Label string
	// Dataset is the data.gouv.fr dataset id or slug.
	Dataset string
	// Match picks the dataset's resources (case-insensitive regular
	// expression on the resource's title or file name); the one modified
	// last wins.
	Match string
	// URL is a plain address of the file, used instead of Dataset.
	URL string
	// Kind is what the file must hold: checked on its content before the
	// import.
	Kind Kind
	// Default sources are updated when --only is not given.
	Default bool
	// Size is the usual size of the file, for the documentation.
	Size string
}

// Defaults are the official sources known today (DATA.md, "Current official
// files"). Each can be overridden in diagsante.yaml under sources.<key>.
var Defaults = []Source{
	{
		Key: "finess", Label: "FINESS establishments (etalab CSV stock)", Kind: FINESS, Default: true,
		Dataset: "53699569a3a729239d2046eb", Match: `etalab-cs1100507-stock-.*\.csv$`, Size: "≈ 120 MB",
	},
	{
		Key: "finess-plus", Label: "FINESS establishments (FiNESS+ JSON structures flow)", Kind: FINESS,
		Dataset: "finess-structures-1", Match: `structure.*\.json(\.gz)?$`, Size: "≈ 50 MB compressed",
	},
	{
		Key: "rpps", Label: "RPPS professionals (Annuaire Santé person-activity extraction)", Kind: RPPS, Default: true,
		Dataset: "annuaire-sante-extractions-des-donnees-en-libre-acces-des-professionnels-intervenant-dans-le-systeme-de-sante-rpps",
		Match:   `(ps[-_]libreacces[-_]personne[-_]activite[^/]*\.txt|ps[-_]libreacces[^/]*\.zip)$`, Size: "≈ 700 MB",
	},
	{
		Key: "apl", Label: "DREES APL to general practitioners (workbook)", Kind: APL, Default: true,
		Dataset: "l-accessibilite-potentielle-localisee-apl", Match: `apl.*\.xlsx$`, Size: "≈ 4 MB",
	},
}

// Override is a source as diagsante.yaml may set it: any field left empty
// keeps the default's.
type Override struct {
	Dataset, Match, URL string
}

// Sources returns the default sources with the overrides applied. An
// override of an unknown key is an error: a misspelt key would otherwise
// update the default silently.
func Sources(over map[string]Override) ([]Source, error) {
	out := slices.Clone(Defaults)
	for _, k := range slices.Sorted(maps.Keys(over)) {
		o := over[k]
		i := slices.IndexFunc(out, func(s Source) bool { return s.Key == k })
		if i < 0 {
			return nil, fmt.Errorf("sources.%s: unknown source (known: %s)", k, strings.Join(Keys(), ", "))
		}
		s := &out[i]
		if o.URL != "" {
			s.URL, s.Dataset = o.URL, ""
		}
		if o.Dataset != "" {
			s.Dataset, s.URL = o.Dataset, ""
		}
		if o.Match != "" {
			s.Match = o.Match
		}
	}
	for _, s := range out {
		if _, err := s.matcher(); err != nil {
			return nil, fmt.Errorf("sources.%s.match: %v", s.Key, err)
		}
	}
	return out, nil
}

// Keys are the keys of the known sources, in order.
func Keys() []string {
	var k []string
	for _, s := range Defaults {
		k = append(k, s.Key)
	}
	return k
}

// Select returns the sources named by only (all default ones when only is
// empty). Two sources of the same kind cannot be updated together: the
// import takes one file of each kind.
func Select(all []Source, only []string) ([]Source, error) {
	var out []Source
	if len(only) == 0 {
		for _, s := range all {
			if s.Default {
				out = append(out, s)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	kinds := map[Kind]string{}
	for _, k := range only {
		k = strings.TrimSpace(strings.ToLower(k))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		i := slices.IndexFunc(all, func(s Source) bool { return s.Key == k })
		if i < 0 {
			return nil, fmt.Errorf("--only %s: unknown source (known: %s)", k, strings.Join(Keys(), ", "))
		}
		if prev, ok := kinds[all[i].Kind]; ok {
			return nil, fmt.Errorf("--only: %s and %s are both %s files; update one at a time", prev, k, all[i].Kind)
		}
		kinds[all[i].Kind] = k
		out = append(out, all[i])
	}
	return out, nil
}

func (s Source) matcher() (*regexp.Regexp, error) {
	if s.Match == "" {
		return regexp.MustCompile(``), nil
	}
	return regexp.Compile(`(?i)` + s.Match)
}

// Where names where the source is looked up, for messages.
func (s Source) Where() string {
	if s.URL != "" {
		return s.URL
	}
	return "data.gouv.fr dataset " + s.Dataset
}
