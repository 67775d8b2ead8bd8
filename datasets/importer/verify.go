package importer

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Statuses of a check.
const (
	StatusOK   = "OK"
	StatusWarn = "WARN" // worth knowing, the data is usable
	StatusFail = "FAIL" // the tables contradict each other: fix the snapshot
)

// A Check is the outcome of one consistency check of a snapshot.
type Check struct {
	Check  string `json:"check"`
	Status string `json:"status"`
	Count  int    `json:"count"`
	Detail string `json:"detail"`
}

// Verification thresholds.
const (
	// OutsideToleranceKm: the contours are COG 2018 geometries simplified
	// to about 40 m, and FINESS points are geocoded addresses; closer than
	// this outside their commune is noise.
	OutsideToleranceKm = 1.0
	// GPRatioLow and GPRatioHigh bound the ratio of GPs per département
	// (gp_bpe or RPPS) to the Assurance Maladie count of libéral
	// generalists, relative to the same ratio for France, before a
	// département is flagged; the national ratio itself is flagged outside
	// them. Sources differ in date and definition (BPE 2017 vs 31 December
	// 2023; modes d'exercice particuliers), so only large gaps matter.
	GPRatioLow, GPRatioHigh = 0.7, 1.4
)

// Verify runs the consistency checks across the tables of a snapshot.
func Verify(s *snapshot.Snapshot) ([]Check, error) {
	ci, err := LoadContours(s)
	if err != nil {
		return nil, err
	}
	return verify(s, ci), nil
}

func verify(s *snapshot.Snapshot, ci *ContourIndex) []Check {
	codes := NewCodes(s)
	var out []Check
	if len(s.LocalProblems) > 0 {
		out = append(out, Check{Check: "local snapshot: imported table files present", Status: StatusFail, Count: len(s.LocalProblems),
			Detail: strings.Join(s.LocalProblems, "; ")})
	}

	// Codes each table holds, checked against the COG.
	var aplCodes, gpCodes, estCodes, cptsCodes, proCodes []string
	for _, a := range s.APL {
		aplCodes = append(aplCodes, a.Code)
	}
	for _, g := range s.GPs {
		gpCodes = append(gpCodes, g.Code)
	}
	noCommune := 0
	for _, e := range s.Establishments {
		if e.Commune == "" {
			noCommune++
			continue
		}
		estCodes = append(estCodes, e.Commune)
	}
	for _, m := range s.CPTS {
		cptsCodes = append(cptsCodes, m.Commune)
	}
	for _, p := range s.Professionals {
		proCodes = append(proCodes, p.Code)
	}
	out = append(out, codeCheck("apl: codes unknown to the COG", codes, aplCodes, false))
	out = append(out, aplCompleteCheck(s))
	out = append(out, codeCheck("gp_bpe: codes not current", codes, gpCodes, true))
	out = append(out, codeCheck("establishments: communes not current", codes, estCodes, true))
	out = append(out, codeCheck("cpts: communes not current", codes, cptsCodes, true))
	if s.Manifest.Table("professionals") != nil || len(s.Professionals) > 0 {
		out = append(out, codeCheck("professionals: codes not current", codes, proCodes, true))
	}
	if s.Manifest.Table("gp_rpps") != nil || len(s.GPSites) > 0 {
		// gp_rpps keeps arrondissements municipaux as places of their own.
		var siteCodes []string
		for _, g := range s.GPSites {
			if _, kind, ok := codes.Current(g.Code); !ok || kind != KindArrondissement {
				siteCodes = append(siteCodes, g.Code)
			}
		}
		out = append(out, codeCheck("gp_rpps: places neither current communes nor arrondissements", codes, siteCodes, true))
	}
	out = append(out, countCheck("establishments without commune", noCommune, StatusWarn, "not counted in any territory"))

	dups := map[string]int{}
	for _, e := range s.Establishments {
		dups[e.Finess]++
	}
	var dupList []string
	for f, n := range dups {
		if n > 1 {
			dupList = append(dupList, f)
		}
	}
	sort.Strings(dupList)
	out = append(out, countCheck("establishments: FINESS numbers listed twice", len(dupList), StatusFail, strings.Join(first(dupList, 10), " ")))

	out = append(out, outsideCheck(s, ci))

	out = append(out, gpCheck("GPs per département: gp_bpe vs Assurance Maladie libéraux", s, func(yield func(code string, n int)) {
		for _, g := range s.GPs {
			yield(g.Code, g.Count)
		}
	}))
	if len(s.Professionals) > 0 {
		out = append(out, gpCheck("GPs per département: professionals (RPPS libéral) vs Assurance Maladie libéraux", s, func(yield func(code string, n int)) {
			for _, p := range s.Professionals {
				if p.Profession == GPProfession {
					yield(p.Code, p.Liberal)
				}
			}
		}))
	}

	var noPoint, noContour, noPop []string
	for _, c := range s.Communes {
		if !c.HasPoint() {
			noPoint = append(noPoint, c.Code)
		}
		if !ci.Has(c.Code) {
			noContour = append(noContour, c.Code)
		}
		if !c.HasPop {
			noPop = append(noPop, c.Code)
		}
	}
	out = append(out, countCheck("communes without point", len(noPoint), StatusWarn, codeList(noPoint)))
	out = append(out, countCheck("communes without contour", len(noContour), StatusWarn, codeList(noContour)))
	out = append(out, countCheck("communes without population", len(noPop), StatusWarn, codeList(noPop)))
	return out
}

// codeCheck counts the codes of a table that are not current communes.
// Where the table must hold current codes (strict), an unknown code is a
// FAIL and an old code a WARN (the indicators would not see it); the APL
// keeps the codes of its year by design, so only unknown codes are
// reported, as a WARN.
func codeCheck(name string, codes *Codes, list []string, strict bool) Check {
	var t tally
	for _, c := range list {
		cur, kind, ok := codes.Current(c)
		if ok && kind == KindCurrent && cur == c {
			continue
		}
		t.add(c, kind, ok)
	}
	c := Check{Check: name, Status: StatusOK}
	var parts []string
	if strict {
		c.Count = t.unknown + t.old + t.arr
		if t.old+t.arr > 0 {
			c.Status = StatusWarn
			parts = append(parts, fmt.Sprintf("%d old codes or arrondissements (not seen by the indicators)", t.old+t.arr))
		}
	} else {
		c.Count = t.unknown
		if t.old+t.arr > 0 {
			parts = append(parts, fmt.Sprintf("%d rows of merged communes or arrondissements, mapped when computing", t.old+t.arr))
		}
	}
	if t.unknown > 0 {
		c.Status = StatusWarn
		if strict {
			c.Status = StatusFail
		}
		parts = append(parts, fmt.Sprintf("%d unknown: %s", t.unknown, t.examples(8)))
	}
	if len(list) == 0 {
		parts = append(parts, "empty table")
	}
	c.Detail = strings.Join(parts, "; ")
	return c
}

func countCheck(name string, n int, status, detail string) Check {
	if n == 0 {
		return Check{Check: name, Status: StatusOK}
	}
	return Check{Check: name, Status: status, Count: n, Detail: detail}
}

func codeList(codes []string) string {
	set := map[string]bool{}
	for _, c := range codes {
		set[c] = true
	}
	return examples(set, 12)
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// outsideCheck measures how far each establishment with a point lies from
// the contour of its commune.
func outsideCheck(s *snapshot.Snapshot, ci *ContourIndex) Check {
	type far struct {
		finess, commune string
		km              float64
	}
	var fars []far
	near, noContour := 0, 0
	for _, e := range s.Establishments {
		if !e.HasPoint || e.Commune == "" {
			continue
		}
		km, ok := ci.DistanceKm(e.Commune, e.Lat, e.Lon)
		switch {
		case !ok:
			noContour++
		case km > OutsideToleranceKm:
			fars = append(fars, far{e.Finess, e.Commune, km})
		case km > 0:
			near++
		}
	}
	sort.Slice(fars, func(i, j int) bool { return fars[i].km > fars[j].km })
	c := Check{Check: fmt.Sprintf("establishments more than %g km outside their commune", OutsideToleranceKm), Status: StatusOK, Count: len(fars)}
	var parts []string
	if len(fars) > 0 {
		c.Status = StatusWarn
		var ex []string
		for _, f := range fars[:min(5, len(fars))] {
			ex = append(ex, fmt.Sprintf("%s in %s: %.0f km", f.finess, f.commune, f.km))
		}
		parts = append(parts, "farthest: "+strings.Join(ex, ", "))
	}
	parts = append(parts, fmt.Sprintf("%d outside by less than %g km (tolerance)", near, OutsideToleranceKm))
	if noContour > 0 {
		parts = append(parts, fmt.Sprintf("%d in communes without contour", noContour))
	}
	c.Detail = strings.Join(parts, "; ")
	return c
}

// Assurance Maladie category of libéral GPs in the liberaux table.
const (
	cnamGPSheet    = "Généralistes et MEP"
	cnamGPCategory = "01- Médecine générale"
)

// gpCheck compares GPs per département with the Assurance Maladie count
// of libéral generalists.
func gpCheck(name string, s *snapshot.Snapshot, each func(yield func(code string, n int))) Check {
	ref := map[string]int{}
	for _, l := range s.Liberal {
		if l.Sheet == cnamGPSheet && l.Category == cnamGPCategory && s.Departement(l.Dep) != nil {
			ref[l.Dep] = l.Total
		}
	}
	got := map[string]int{}
	each(func(code string, n int) {
		if c := s.Commune(code); c != nil {
			got[c.Dep] += n
		}
	})
	c := Check{Check: name, Status: StatusOK}
	if len(ref) == 0 {
		c.Status, c.Detail = StatusWarn, "no Assurance Maladie count of libéral GPs in table liberaux"
		return c
	}
	deps := make([]string, 0, len(ref))
	for d := range ref {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	var missing []string
	sumGot, sumRef := 0, 0
	for _, d := range deps {
		if got[d] == 0 {
			missing = append(missing, d)
			continue
		}
		sumGot += got[d]
		sumRef += ref[d]
	}
	// Départements are compared with the national ratio: sources of
	// different dates and definitions differ everywhere alike, what stands
	// out is a département that differs from the others.
	national := 0.0
	if sumRef > 0 {
		national = float64(sumGot) / float64(sumRef)
	}
	type gap struct {
		dep      string
		got, ref int
		rel      float64
	}
	var gaps []gap
	for _, d := range deps {
		if got[d] == 0 || national == 0 {
			continue
		}
		rel := float64(got[d]) / float64(ref[d]) / national
		if rel < GPRatioLow || rel > GPRatioHigh {
			gaps = append(gaps, gap{d, got[d], ref[d], rel})
		}
	}
	sort.Slice(gaps, func(i, j int) bool {
		return math.Abs(math.Log(gaps[i].rel)) > math.Abs(math.Log(gaps[j].rel))
	})
	var flagged []string
	for _, g := range gaps {
		flagged = append(flagged, fmt.Sprintf("%s %d/%d (×%.2f)", g.dep, g.got, g.ref, g.rel))
	}
	c.Count = len(flagged) + len(missing)
	var parts []string
	if sumRef > 0 {
		parts = append(parts, fmt.Sprintf("ratio %d/%d = %.2f over %d départements", sumGot, sumRef, national, len(deps)-len(missing)))
	}
	if len(flagged) > 0 {
		parts = append(parts, fmt.Sprintf("départements whose ratio is below ×%.2f or above ×%.2f the national one: %s", GPRatioLow, GPRatioHigh, strings.Join(first(flagged, 6), ", ")))
	}
	if len(missing) > 0 {
		parts = append(parts, "no GP in the table: "+strings.Join(missing, " "))
	}
	if c.Count > 0 || national < GPRatioLow || national > GPRatioHigh {
		c.Status = StatusWarn
	}
	c.Detail = strings.Join(parts, "; ")
	return c
}

// aplCompleteCheck fails when an APL vintage covers a département only in
// part (a workbook cut at a row, or a partial one imported with
// --allow-shrink): the département's figures would rest on some of its
// communes.
func aplCompleteCheck(s *snapshot.Snapshot) Check {
	c := Check{Check: "apl: every département of each vintage complete", Status: StatusOK}
	gaps := APLGaps(s)
	c.Count = len(gaps)
	if len(gaps) == 0 {
		c.Detail = fmt.Sprintf("each vintage has at least %.0f %% of the communes of every département it covers", 100*APLMinShare)
		return c
	}
	c.Status = StatusFail
	var parts []string
	for i, g := range gaps {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("… and %d more", len(gaps)-8))
			break
		}
		parts = append(parts, g.String())
	}
	c.Detail = strings.Join(parts, "; ") + " (re-import the complete DREES workbook)"
	return c
}
