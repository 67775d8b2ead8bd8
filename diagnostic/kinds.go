package diagnostic

import "github.com/diagsante/diagsante/datasets/taxonomy"

// A Kind is a kind of structure of the offre de soins, as counted and mapped
// in the report: the kinds of datasets/taxonomy that the report counts.
type Kind struct {
	Key   string
	Label string // French, plural
	// Categories are the FINESS categories of the kind; empty for kinds
	// defined otherwise (SAE emergency departments and maternities,
	// hôpitaux de proximité).
	Categories []string
	// Coordinated says the kind counts in "exercice coordonné".
	Coordinated bool
}

// Kinds are the kinds of structures of the report, in display order,
// derived from the one taxonomy.
var Kinds = TaxonomyKinds()

// TaxonomyKinds returns the report's kinds from datasets/taxonomy.
func TaxonomyKinds() []Kind {
	var out []Kind
	for _, k := range taxonomy.ReportKinds() {
		out = append(out, Kind{Key: k.Key, Label: k.Label, Categories: k.Categories, Coordinated: k.Coordinated})
	}
	return out
}

// KindLabel returns the label of a kind key.
func KindLabel(key string) string { return taxonomy.Label(key) }
