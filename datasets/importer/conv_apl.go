package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/apl"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// apl converts a DREES APL workbook: every vintage sheet, codes kept as
// published (the year's geography; the indicators map old codes and
// arrondissements through the COG, as for the embedded table). The file
// covers the départements of its communes: their rows, every vintage,
// replace those of the table in use (all of them with --replace-national).
func (im *Importer) apl(path string) ([]table, []Result, error) {
	src, err := im.open(path, "apl")
	if err != nil {
		return nil, nil, err
	}
	sheets, _, err := apl.ReadWorkbookReader(src.r, path)
	src.close(err == nil)
	if err != nil {
		return nil, nil, err
	}
	if len(sheets) == 0 {
		return nil, nil, &parseerr.Error{File: path, Err: fmt.Errorf("no APL sheet (want sheets named like \"APL 2023\")")}
	}
	if err := im.checkAPLComplete(path, sheets); err != nil {
		return nil, nil, err
	}
	res := Result{Table: "apl"}
	var rows []snapshot.APL
	var vintages []string
	seen := map[int]bool{}
	sheetOf := map[int]string{}
	for _, sh := range sheets {
		if seen[sh.Vintage] {
			return nil, nil, &parseerr.Error{File: path, Sheet: sh.Name, Err: fmt.Errorf("vintage %d given by two sheets, %q and %q: keep one", sh.Vintage, sheetOf[sh.Vintage], sh.Name)}
		}
		seen[sh.Vintage] = true
		sheetOf[sh.Vintage] = sh.Name
		if err := im.checkLabelDate(path, 0, 0, fmt.Sprintf("sheet %q: vintage", sh.Name), strconv.Itoa(sh.Vintage)); err != nil {
			return nil, nil, err
		}
		if sh.PopYear > 0 {
			if err := im.checkLabelDate(path, 0, 0, fmt.Sprintf("sheet %q: population year", sh.Name), strconv.Itoa(sh.PopYear)); err != nil {
				return nil, nil, err
			}
		}
		var t tally
		for _, r := range sh.Records {
			src.prog.row() // the workbook is read whole already: nothing to stop
			_, kind, ok := im.codes.Current(r.Code)
			t.add(r.Code, kind, ok)
			rows = append(rows, snapshot.APL{Code: r.Code, Vintage: sh.Vintage, PopYear: sh.PopYear, Value: r.APL, Under65: r.APLUnder65,
				PopStandardised: r.PopStandardised, PopTotal: r.PopTotal})
		}
		res.Read += len(sh.Records)
		res.Unmatched += t.unknown
		v := fmt.Sprintf("APL %d", sh.Vintage)
		if sh.PopYear > 0 {
			v += fmt.Sprintf(" (populations %d)", sh.PopYear)
		}
		vintages = append(vintages, v)
		res.Notes = append(res.Notes, fmt.Sprintf("sheet %q: %s, %s of communes merged since (kept, mapped when computing), %s unknown to COG 2026 (kept)",
			sh.Name, plural(len(sh.Records), "commune", "communes"), plural(t.old, "code", "codes"), plural(t.unknown, "code", "codes")))
		if sh.VintageFrom != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("sheet %q: vintage %d from %s (the sheet name gives no year)", sh.Name, sh.Vintage, sh.VintageFrom))
		}
		if t.unknown > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("sheet %q: codes unknown to COG 2026: %s", sh.Name, t.examples(10)))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Code != rows[j].Code {
			return rows[i].Code < rows[j].Code
		}
		return rows[i].Vintage < rows[j].Vintage
	})
	res.Rows = len(rows)
	res.Vintage = strings.Join(vintages, ", ")
	for _, want := range []int{2022, 2023} {
		if !seen[want] {
			res.Notes = append(res.Notes, fmt.Sprintf("no APL %d sheet: indicators that show APL %d will say n/a", want, want))
		}
	}
	deps := map[string]bool{}
	years := make([]int, 0, len(seen))
	for y := range seen {
		years = append(years, y)
	}
	sort.Ints(years)
	for i := range rows {
		deps[im.depOfCode(rows[i].Code)] = true
	}
	covSource := "APL DREES"
	for i, y := range years {
		covSource += map[bool]string{true: " ", false: ", "}[i == 0] + strconv.Itoa(y)
	}
	info := snapshot.TableInfo{Name: "apl", Title: "Accessibilité potentielle localisée (APL) aux médecins généralistes, par commune",
		Publisher: "DREES", Source: "data.drees « L'accessibilité potentielle localisée (APL) », classeur importé",
		Vintage: res.Vintage, Licence: licenceOuverte, Rows: len(rows),
		Notes:    []string{"codes de la géographie de l'année de l'APL : une commune fusionnée depuis garde son code (table oldcodes)"},
		Coverage: fileCoverage(deps, covSource, strconv.Itoa(years[len(years)-1]))}
	return []table{{info: info, file: snapshot.APLFile, rows: rows}}, []Result{res}, nil
}

// checkAPLComplete refuses a damaged workbook: a sheet whose scope is
// France with fewer than apl.NationalMinRows communes (cut at a row), and,
// unless AllowShrink, a sheet covering a département only in part
// (APLMinShare of today's communes).
func (im *Importer) checkAPLComplete(path string, sheets []apl.Sheet) error {
	for _, sh := range sheets {
		if sh.National() && len(sh.Records) < apl.NationalMinRows {
			last := ""
			if n := len(sh.Records); n > 0 {
				last = fmt.Sprintf(" (commune %s)", sh.Records[n-1].Code)
			}
			return parseerr.Cell(path, sh.Name, sh.LastRow, 0, "the sheet ends at this row%s after %d communes, but its scope %q is all France, which has about 35,000 (at least %d expected): the workbook is truncated or damaged",
				last, len(sh.Records), sh.Scope, apl.NationalMinRows)
		}
	}
	if im.AllowShrink {
		return nil
	}
	var refs []aplRowRef
	for _, sh := range sheets {
		for _, r := range sh.Records {
			refs = append(refs, aplRowRef{Vintage: sh.Vintage, Code: r.Code, Row: r.Row})
		}
	}
	gaps := aplGaps(im.codes, im.Embedded.Communes, refs)
	if len(gaps) == 0 {
		return nil
	}
	g := gaps[0]
	more := ""
	if len(gaps) > 1 {
		more = fmt.Sprintf(" (and %d other départements or vintages)", len(gaps)-1)
	}
	sheet := fmt.Sprintf("APL %d", g.Vintage)
	for _, sh := range sheets {
		if sh.Vintage == g.Vintage {
			sheet = sh.Name
		}
	}
	return parseerr.Cell(path, sheet, g.LastRow, 0,
		"département %s stops at this row (commune %s) with %d of its %d communes (%.0f %%, at least %.0f %% expected)%s: the workbook is truncated or partial; give --allow-shrink to import it anyway",
		g.Dep, g.LastCode, g.Covered, g.Total, 100*float64(g.Covered)/float64(g.Total), 100*APLMinShare, more)
}
