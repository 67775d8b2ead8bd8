package diagnostic

import "github.com/diagsante/diagsante/datasets/snapshot"

// CountGPPersons returns the number of distinct general practitioners with
// at least one site in the places inPlace accepts: a GP practising at two
// sites of a territory counts once. sites are the rows of the gp_rpps
// table of an imported RPPS extraction (one per person and place, already
// limited to the activities the DREES APL counts: libéral, or salaried in a
// centre de santé). inPlace receives a site's code as given there: a
// current commune, or an arrondissement municipal (751xx, 6938x, 132xx).
func CountGPPersons(sites []snapshot.GPSite, inPlace func(code string) bool) int {
	seen := map[string]bool{}
	for _, s := range sites {
		if !seen[s.Person] && inPlace(s.Code) {
			seen[s.Person] = true
		}
	}
	return len(seen)
}
