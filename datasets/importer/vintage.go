package importer

import (
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/diagsante/diagsante/datasets/parseerr"
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

// The dates a file gives its vintage label must be real: a calendar date
// (YYYY-MM-DD, YYYY-MM or YYYY), not before minVintageYear, and not in the
// future by more than a day (time zones). A FINESS header dated 2026-13-45
// must not become the label of every report.
const minVintageYear = 1990

// checkDate validates a vintage date d (YYYY-MM-DD, YYYY-MM or YYYY)
// against now; the error says what is wrong, without the position.
func checkDate(d string, now time.Time) error {
	var t time.Time
	var err error
	switch len(d) {
	case 10:
		t, err = time.Parse("2006-01-02", d)
	case 7:
		t, err = time.Parse("2006-01", d)
	case 4:
		t, err = time.Parse("2006", d)
	default:
		return fmt.Errorf("date %q is not YYYY-MM-DD", d)
	}
	if err != nil {
		return fmt.Errorf("date %q is not a calendar date (YYYY-MM-DD)", d)
	}
	if t.Year() < minVintageYear {
		return fmt.Errorf("date %s is before %d: not a vintage of this file", d, minVintageYear)
	}
	if t.After(now.Add(24 * time.Hour)) {
		return fmt.Errorf("date %s is in the future (today is %s)", d, now.Format("2006-01-02"))
	}
	return nil
}

// checkNameDate validates the date a file name gives (dateFromName,
// yearFromPath): an error naming the file, exit 2, when it is not a
// possible vintage.
func (im *Importer) checkNameDate(path, d string) error {
	if d == "" {
		return nil
	}
	if err := checkDate(d, im.now()); err != nil {
		return parseerr.New(path, 0, 0, "the file name's %w", err)
	}
	return nil
}

// checkLabelDate validates a date read in a file (a header, a column) at
// line and column (0 when unknown).
func (im *Importer) checkLabelDate(path string, line, col int, what, d string) error {
	if d == "" {
		return nil
	}
	if err := checkDate(d, im.now()); err != nil {
		return parseerr.New(path, line, col, "%s: %w", what, err)
	}
	return nil
}

func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now()
	}
	return time.Now()
}
