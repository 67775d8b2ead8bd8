package main

import (
	"strconv"

	"github.com/diagsante/diagsante/diagnostic"
)

// countOf writes a count and its noun in agreement for the terminal: "1
// commune", "152 communes", "1 of 11 units". The rule is the report's
// (diagnostic.Agree); the count is written plain, as in the tables, without
// the French thousands separator of diagnostic.Plural. Counts printed with
// it are never 0, where English and French disagree.
func countOf(n int, singular, plural string) string {
	return strconv.Itoa(n) + " " + diagnostic.Agree(n, singular, plural)
}
