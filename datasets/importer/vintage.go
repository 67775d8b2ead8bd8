package importer

import (
	"path/filepath"
	"regexp"
	"time"
)

// Official files carry their date in their name: the RPPS extraction
// PS_LibreAcces_Personne_activite_202401151030.txt, the FINESS
// etalab-cs1100507-stock-20260504-0336.csv, a CPTS list of 2026-01.
var (
	stampRE = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{4})?(?:[^0-9]|$)`)
	dateRE  = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d{2})[-_.](\d{2})(?:[-_.](\d{2}))?(?:[^0-9]|$)`)
	digitRE = regexp.MustCompile(`\d+`)
)

// dateFromName returns the date a file name carries, as YYYY-MM-DD, or
// YYYY-MM when it has no day; "" when it has none. Only valid dates count.
func dateFromName(path string) string {
	base := filepath.Base(path)
	if m := stampRE.FindStringSubmatch(base); m != nil {
		d := m[1] + "-" + m[2] + "-" + m[3]
		if _, err := time.Parse("2006-01-02", d); err == nil {
			return d
		}
	}
	if m := dateRE.FindStringSubmatch(base); m != nil {
		if m[3] != "" {
			d := m[1] + "-" + m[2] + "-" + m[3]
			if _, err := time.Parse("2006-01-02", d); err == nil {
				return d
			}
		} else if _, err := time.Parse("2006-01", m[1]+"-"+m[2]); err == nil {
			return m[1] + "-" + m[2]
		}
	}
	return ""
}

// yearFromPath returns the last year (19xx or 20xx) named in the file
// name, else in the name of its folder (INSEE ships donnees_communes.csv in
// an archive named after the vintage), or "".
func yearFromPath(path string) string {
	for _, name := range []string{filepath.Base(path), filepath.Base(filepath.Dir(path))} {
		year := ""
		for _, d := range digitRE.FindAllString(name, -1) {
			if len(d) == 4 && (d[:2] == "19" || d[:2] == "20") {
				year = d
			}
		}
		if year != "" {
			return year
		}
	}
	return ""
}
