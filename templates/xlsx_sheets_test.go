package templates

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestNearestNameAgrees: the column heads of the nearest structures agree
// in gender with the kind's singular name; an unknown kind is named by its
// label.
func TestNearestNameAgrees(t *testing.T) {
	for kind, want := range map[string]string{
		"emergency": "Service d'urgences le plus proche",
		"maternity": "Maternité la plus proche",
		"msp":       "MSP la plus proche",
		"cds":       "Centre de santé médical ou polyvalent le plus proche",
		"pharmacy":  "Pharmacie la plus proche",
		"lab":       "Laboratoire le plus proche",
		"xyz":       "Structure la plus proche (" + diagnostic.KindLabel("xyz") + ")",
	} {
		if got := nearestName(kind); got != want {
			t.Errorf("nearestName(%s) = %q, want %q", kind, got, want)
		}
	}
}

// TestNearestKindsOrder: the nearest-structure columns come in the order
// of diagnostic.Kinds, then any other kind by name, each once.
func TestNearestKindsOrder(t *testing.T) {
	r := &diagnostic.Report{Communes: []diagnostic.CommuneFigures{
		{Nearest: map[string]diagnostic.NearestFacility{"zeta": {}, "maternity": {}}},
		{Nearest: map[string]diagnostic.NearestFacility{"alpha": {}, "emergency": {}, "maternity": {}}},
		{},
	}}
	var want []string
	for _, k := range diagnostic.Kinds {
		if k.Key == "emergency" || k.Key == "maternity" {
			want = append(want, k.Key)
		}
	}
	want = append(want, "alpha", "zeta")
	if got := nearestKinds(r); !slices.Equal(got, want) {
		t.Errorf("nearestKinds = %q, want %q", got, want)
	}
}

// TestXLSXColumnLayout: the Communes sheet of Nemours has its column
// widths (code 11, name 28, APL class 24, the Notes column 10) and a
// header row of 75 points for its long heads; Professionnels a header of
// 45 points.
func TestXLSXColumnLayout(t *testing.T) {
	f := nemoursWorkbook(t)
	for col, want := range map[string]float64{"A": 11, "B": 28, "J": 24, "Q": 12, "BA": 10} {
		if w, err := f.GetColWidth(SheetCommunes, col); err != nil || w != want {
			t.Errorf("Communes column %s width %v (%v), want %v", col, w, err, want)
		}
	}
	if h, _ := f.GetRowHeight(SheetCommunes, 1); h != 75 {
		t.Errorf("Communes header row %v high, want 75", h)
	}
	if h, _ := f.GetRowHeight(SheetProfessionals, 1); h != 45 {
		t.Errorf("Professionnels header row %v high, want 45", h)
	}
}

// TestXLSXProfessionalsGPTable: under the Assurance Maladie table, the
// Professionnels sheet gives each level's GP count, density and source
// (Nemours: 20, 1,034, 7,050, 58,034 from the BPE 2017), and names the
// RPPS extraction when the territory's GPs come from it.
func TestXLSXProfessionalsGPTable(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	open := func(r *diagnostic.Report) *excelize.File { return reportWorkbook(t, r) }
	f := open(rep)
	head := findRow(t, f, SheetProfessionals, "Médecins généralistes : effectif et densité de chaque niveau")
	rows, _ := f.GetRows(SheetProfessionals)
	for i, want := range []string{"CC Pays de Nemours", "Seine-et-Marne (77)", "Île-de-France", "France"} {
		row := rows[head+i]
		if len(row) < 4 || row[0] != want || row[3] != "BPE 2017" {
			t.Errorf("GP table row %d: %q, want %s … BPE 2017", head+i+1, row, want)
		}
	}
	for i, want := range []string{"20", "1034", "7050", "58034"} {
		assertNumber(t, f, SheetProfessionals, cell(2, head+1+i), want, 3, "")
	}
	// Densities per 10,000 inhabitants, as on the Synthèse: 6.8, 7.0, 6.8, 9.1.
	for i, want := range []string{"6.8", "7.0", "6.8", "9.1"} {
		if v, _ := f.GetCellValue(SheetProfessionals, cell(3, head+1+i)); v != want {
			t.Errorf("GP density %s = %q, want %s", cell(3, head+1+i), v, want)
		}
	}
	// The table's notes are listed in its Notes column (E), the block two
	// rows under it.
	if v, _ := f.GetCellValue(SheetProfessionals, cell(5, head)); v != "Notes" {
		t.Errorf("GP table Notes head %s = %q", cell(5, head), v)
	}
	if v, _ := f.GetCellValue(SheetProfessionals, cell(1, head+6)); v != "Notes" {
		t.Errorf("notes block at %s: %q", cell(1, head+6), v)
	}
	const src = "Source : Assurance Maladie, professionnels de santé libéraux au 31 décembre 2023, par département ; densité rapportée à la population municipale (populations de référence en vigueur en 2026)."
	if v, _ := f.GetCellValue(SheetProfessionals, cell(1, head-2)); v != src {
		t.Errorf("Professionnels source line %q", v)
	}
	r2 := *rep
	r2.GPFromRPPS, r2.GPSource = true, "RPPS 2026-11-20"
	f = open(&r2)
	want := strings.TrimSuffix(src, ".") + ". Territoire : praticiens à activité libérale de l'extraction RPPS importée (RPPS 2026-11-20)."
	findRow(t, f, SheetProfessionals, want)
}

// workbookPart returns one part of a written workbook (e.g.
// "xl/charts/chart1.xml").
func workbookPart(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no %s in the workbook", name)
	return ""
}

// TestXLSXIndicatorsCharts: the two native charts of the Indicateurs
// sheet sit side by side (columns A and C) five rows under the table's
// last row, with the points of attention twenty rows below them; each
// draws one bar per level from that level's column of the APL 2023 and GP
// density rows, named by the header row, in the level's colour.
func TestXLSXIndicatorsCharts(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	last := findRow(t, f, SheetIndicators, "Source des effectifs de médecins généralistes")
	attention := findRow(t, f, SheetIndicators, "Points d'attention")
	drawing := workbookPart(t, buf.Bytes(), "xl/drawings/drawing1.xml")
	from := regexp.MustCompile(`<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)</xdr:row>`).FindAllStringSubmatch(drawing, -1)
	row := strconv.Itoa(last + 5 - 1) // 0-based in the drawing
	if len(from) != 2 || from[0][1] != "0" || from[1][1] != "2" || from[0][2] != row || from[1][2] != row {
		t.Errorf("chart anchors %q, want columns A and C at row %d", from, last+5)
	}
	// The table keeps every indicator label, the reading lines follow it.
	rows, _ := f.GetRows(SheetIndicators)
	for i, ind := range indicators(rep) {
		if got := rows[5+i][0]; got != ind.label {
			t.Errorf("Indicateurs A%d = %q, want %q", 6+i, got, ind.label)
		}
	}
	if a, b := rows[last+1][0], rows[last+2][0]; !strings.HasPrefix(a, "Lecture : les APL de ce classeur sont tous âges") || b != pressNote(rep) || b == "" {
		t.Errorf("Indicateurs reading lines %q, %q", a, b)
	}
	if attention != last+5+20 {
		t.Errorf("Points d'attention at row %d, want %d (20 rows under the charts)", attention, last+25)
	}
	for i, tc := range []struct{ label, title string }{
		{"APL 2023 (consultations/an/hab.)", "APL 2023 (consultations par an et par habitant)"},
		{"Densité de médecins généralistes, BPE 2017 (pour 10 000 hab.)", "Médecins généralistes pour 10 000 habitants (BPE 2017)"},
	} {
		chart := workbookPart(t, buf.Bytes(), "xl/charts/chart"+strconv.Itoa(i+1)+".xml")
		row := strconv.Itoa(findRow(t, f, SheetIndicators, tc.label))
		if !strings.Contains(chart, tc.title) {
			t.Errorf("chart %d lacks its title %q", i+1, tc.title)
		}
		for j, col := range []string{"B", "C", "D", "E"} {
			for _, ref := range []string{"$" + col + "$5", "$" + col + "$" + row, "$A$" + row} {
				if !strings.Contains(chart, "<f>&#39;Indicateurs&#39;!"+ref+"</f>") {
					t.Errorf("chart %d (%s) lacks the reference %s", i+1, rep.Levels[j].Name, ref)
				}
			}
			if c := excelLevelColors[rep.Levels[j].Kind]; !strings.Contains(chart, `<a:srgbClr val="`+c+`">`) {
				t.Errorf("chart %d lacks the colour %s of %s", i+1, c, rep.Levels[j].Kind)
			}
		}
	}
}

// TestXLSXStructuresCountsByKind: under its list, the Structures sheet of
// the CC Pays de Nemours counts the structures by kind for each level (the
// territory's 20: 1 MSP, 1 hospital, 1 hôpital de proximité, 1 emergency
// service, 10 pharmacies, 1 laboratory, 5 EHPAD; France 1,936 MSP), marks
// France's mixed FINESS vintages in its head with the note, then gives the
// SAS of Seine-et-Marne.
func TestXLSXStructuresCountsByKind(t *testing.T) {
	f := nemoursWorkbook(t)
	rows, err := f.GetRows(SheetStructures)
	if err != nil {
		t.Fatal(err)
	}
	head := findRow(t, f, SheetStructures, "Structures par type (nb)")
	if head != 23 {
		t.Errorf("counts table at row %d, want 23 (20 structures, a blank row)", head)
	}
	if got := strings.Join(rows[head-1][:5], " | "); got != "Structures par type (nb) | CC Pays de Nemours | Seine-et-Marne (77) | Île-de-France | France (mélange de millésimes)" {
		t.Errorf("counts head %q", got)
	}
	comments, _ := f.GetComments(SheetStructures)
	found := false
	for _, c := range comments {
		if c.Cell == cell(5, head) && c.Paragraph[0].Text == "Note 1 : France : les établissements du FINESS mêlent plusieurs sources (FINESS 2021-01-08 ; FINESS Occitanie 2026) : mélange de millésimes, comparer avec prudence." {
			found = true
		}
	}
	if !found {
		t.Errorf("no mixed-vintage note on the France head %s", cell(5, head))
	}
	territory := map[string]string{"msp": "1", "cds": "0", "hospital": "1", "proximity": "1", "emergency": "1", "maternity": "0", "pharmacy": "10", "lab": "1", "ehpad": "5"}
	for i, k := range diagnostic.Kinds {
		row := rows[head+i]
		if row[0] != k.Label {
			t.Errorf("row %d: %q, want %s", head+i+1, row[0], k.Label)
			continue
		}
		if want, ok := territory[k.Key]; ok {
			assertNumber(t, f, SheetStructures, cell(2, head+1+i), want, 3, "")
		}
		if k.Key == "msp" {
			assertNumber(t, f, SheetStructures, cell(5, head+1+i), "1936", 3, "")
		}
	}
	sas := findRow(t, f, SheetStructures, "Service d'accès aux soins (SAS)")
	if sas != head+len(diagnostic.Kinds)+2 {
		t.Errorf("SAS block at row %d, want %d", sas, head+len(diagnostic.Kinds)+2)
	}
	if got := strings.Join(rows[sas], " | ") + " / " + strings.Join(rows[sas+1], " | "); got != "Département | Dispositif | État | Précisions | Date / 77 | SAS 77 | amorçage prévu 2022 | crédits d'amorçage annoncés pour la généralisation | 2021-12" {
		t.Errorf("SAS table %q", got)
	}
	if notes := findRow(t, f, SheetStructures, "Notes"); notes != sas+4 {
		t.Errorf("notes block at row %d, want %d", notes, sas+4)
	}
}

// TestXLSXAccessSheetLayout: the Accessibilité sheet gives the APL of
// each level (coloured by class in columns B, C and H), then the travel
// times of each kind as numbers (or that they were not computed), then the
// thresholds line and the notes, each block one blank row apart.
func TestXLSXAccessSheetLayout(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	for _, with := range []bool{true, false} {
		r2 := *rep
		if with {
			withAccess(&r2)
		} else {
			withoutAccess(&r2)
		}
		f := reportWorkbook(t, &r2)
		rows, _ := f.GetRows(SheetAccess)
		a := func(row int) string {
			if row-1 < len(rows) && len(rows[row-1]) > 0 {
				return rows[row-1][0]
			}
			return ""
		}
		for i, want := range []string{"CC Pays de Nemours", "Seine-et-Marne (77)", "Île-de-France", "France", "", "Temps d'accès à la structure la plus proche"} {
			if a(2+i) != want {
				t.Errorf("with access %v: A%d = %q, want %q", with, 2+i, a(2+i), want)
			}
		}
		seuils := 10
		if with {
			if a(8) != "Structure" || a(9) != "Services d'urgences" || a(10) != "Maisons de santé" {
				t.Errorf("access table rows %q", rows[7:10])
			}
			assertNumber(t, f, SheetAccess, "B9", "17.26", 0, "#,##0.0")
			assertNumber(t, f, SheetAccess, "E9", "0.05", 0, "0.0%")
			seuils = 12
		} else if a(8) != "Temps d'accès : non calculé pour ce rapport." {
			t.Errorf("without access: A8 = %q", a(8))
		}
		if want := "Seuils : 2,5 et 4 consultations par an et par habitant, " + rep.Thresholds.Text + "."; a(seuils) != want || a(seuils+1) != allAgesNote(rep) || a(seuils+3) != "Notes" {
			t.Errorf("with access %v: A%d.. = %q, %q, %q", with, seuils, a(seuils), a(seuils+1), a(seuils+3))
		}
		cf, _ := f.GetConditionalFormats(SheetAccess)
		for _, ref := range []string{"B2:B5", "C2:C5", "H2:H5"} {
			if len(cf[ref]) != 3 {
				t.Errorf("Accessibilité %s: %d colour rules, want 3", ref, len(cf[ref]))
			}
		}
		if h, _ := f.GetRowHeight(SheetAccess, 1); h != 45 {
			t.Errorf("Accessibilité header row %v high, want 45", h)
		}
	}
}

// TestXLSXReferencesSheet: the Références sheet names each level with
// its type and code and its figures as numbers (communes: 21, 507 in
// Seine-et-Marne, 1,266 in Île-de-France, 34,875 in France), the APL
// columns coloured, then the thresholds as numbers and their legal text,
// then the notes.
func TestXLSXReferencesSheet(t *testing.T) {
	f := nemoursWorkbook(t)
	rows, err := f.GetRows(SheetReferences)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"CC Pays de Nemours | territoire | ", "Seine-et-Marne (77) | département | 77", "Île-de-France | région | 11", "France | France | FR"} {
		if got := strings.Join(rows[1+i][:3], " | "); got != want {
			t.Errorf("Références row %d: %q, want %q", i+2, got, want)
		}
	}
	for i, want := range []string{"21", "507", "1266", "34875"} {
		assertNumber(t, f, SheetReferences, cell(4, 2+i), want, 3, "")
	}
	if rows[6][0] != "Seuils d'APL" || rows[7][0] != "Seuil bas (consultations/an/hab.)" || rows[8][0] != "Seuil haut (consultations/an/hab.)" ||
		rows[9][0] != "Texte" || rows[9][1] != diagnostic.DefaultThresholds.Text || rows[11][0] != "Notes" {
		t.Errorf("Références thresholds block %q", rows[6:12])
	}
	if h := rows[0]; len(h) < 2 || h[len(h)-1] != "Notes" || h[len(h)-2] != diagnostic.Kinds[len(diagnostic.Kinds)-1].Label+" (nb)" {
		t.Errorf("Références head ends %q, want the last kind then Notes", h[len(h)-2:])
	}
	assertNumber(t, f, SheetReferences, "B8", "2.5", 0, "#,##0.00")
	assertNumber(t, f, SheetReferences, "B9", "4", 0, "#,##0.00")
	cf, _ := f.GetConditionalFormats(SheetReferences)
	n := 0
	for j, h := range rows[0] {
		if strings.HasPrefix(h, "APL 2023 (") || strings.HasPrefix(h, "APL 2022 (") || strings.HasPrefix(h, "APL 2023 aux") || strings.HasPrefix(h, "APL 2022 aux") {
			n++
			ref := cell(j+1, 2) + ":" + cell(j+1, 5)
			if len(cf[ref]) != 3 {
				t.Errorf("Références %s (%s): %d colour rules", ref, h, len(cf[ref]))
			}
		}
	}
	if n != 4 || len(cf) != 4 {
		t.Errorf("%d APL columns, %d coloured ranges; want 4 and 4", n, len(cf))
	}
	if h, _ := f.GetRowHeight(SheetReferences, 1); h != 75 {
		t.Errorf("Références header row %v high, want 75", h)
	}
}

// TestXLSXSourcesSheet: under the sources table, the Sources sheet gives
// the limits of the report, the method of the GPs of 65 and over, the
// territory asked for, then which source each level uses, flagging
// France's mixed FINESS vintages.
func TestXLSXSourcesSheet(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	f := nemoursWorkbook(t)
	rows, err := f.GetRows(SheetSources)
	if err != nil {
		t.Fatal(err)
	}
	a := func(row int) string {
		if row-1 < len(rows) && len(rows[row-1]) > 0 {
			return rows[row-1][0]
		}
		return ""
	}
	limits := len(rep.Sources) + 3
	if a(limits) != "Limites" || a(limits-1) != "" || len(rep.Limits) < 10 {
		t.Fatalf("Limites at A%d: %q (%d sources, %d limits)", limits, a(limits), len(rep.Sources), len(rep.Limits))
	}
	for i, l := range rep.Limits {
		if a(limits+1+i) != l {
			t.Errorf("A%d = %q, want the limit %q", limits+1+i, a(limits+1+i), l)
		}
	}
	row := limits + len(rep.Limits) + 2
	if a(row) != "Médecins généralistes de 65 ans et plus : "+method65() || a(row+2) != "Territoire demandé : epci:200023240" ||
		a(row+4) != "Sources utilisées par chaque niveau de comparaison" || a(row+5) != "Niveau" {
		t.Errorf("Sources rows %d-%d: %q", row, row+5, rows[row-1:row+5])
	}
	mixed := 0
	for _, r := range rows[row+5:] {
		if len(r) > 3 && r[3] == "oui : comparer avec prudence" {
			mixed++
			if r[0] != "France" {
				t.Errorf("mixed vintages flagged for %q", r[0])
			}
		}
	}
	// France's hôpitaux de proximité, known for 27.2 % of its population,
	// are n.d. (diagnostic.MinCoverage): their two sources are not France's.
	if mixed != 1 {
		t.Errorf("%d tables with mixed vintages, want France's FINESS", mixed)
	}
}

// TestXLSXCommunesNearestCells: each commune's row gives the time,
// distance and name of its nearest emergency service as numbers and text
// (CH de Nemours, 16.4 min, 12.34 km); a commune without one has n.d. in
// the three cells. The CPTS column names the CPTS of a commune where the
// perimeters are known (Marseille 14e: CPTS Actes Santé).
func TestXLSXCommunesNearestCells(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	r2 := *rep
	r2.Communes = append([]diagnostic.CommuneFigures(nil), rep.Communes...)
	withAccess(&r2)
	r2.Communes[1].Nearest = nil
	f := reportWorkbook(t, &r2)
	rows, _ := f.GetRows(SheetCommunes)
	col := len(rows[0]) - 3 // the three emergency columns before Notes
	if rows[0][col-1] != "Service d'urgences le plus proche : temps (min)" {
		t.Fatalf("column %d head %q", col, rows[0][col-1])
	}
	assertNumber(t, f, SheetCommunes, cell(col, 2), "16.4", 0, "#,##0.0")
	assertNumber(t, f, SheetCommunes, cell(col+1, 2), "12.34", 0, "#,##0.0")
	if v, _ := f.GetCellValue(SheetCommunes, cell(col+2, 2)); v != "CH DE NEMOURS (Nemours)" {
		t.Errorf("nearest name %q", v)
	}
	for i := 0; i < 3; i++ {
		if v, _ := f.GetCellValue(SheetCommunes, cell(col+i, 3)); v != NA {
			t.Errorf("commune %s without a nearest emergency service: %s = %q, want n.d.", r2.Communes[1].Code, cell(col+i, 3), v)
		}
	}

	m, _ := testReport(t, "13214")
	g := reportWorkbook(t, m)
	rows, _ = g.GetRows(SheetCommunes)
	j := slices.Index(rows[0], "CPTS (périmètre)")
	if j < 0 || rows[1][j] != "CPTS Actes Santé" {
		t.Errorf("Marseille 14e CPTS column %d in %q", j, rows[1])
	}
}

// TestXLSXStreamedAboveThreshold: up to SummaryThreshold (1,000)
// communes the Communes and Structures sheets keep their cell comments;
// above it they are streamed, without comments (the notes stay in the
// Notes column and block). The 21 communes of Nemours repeated make the
// two sizes.
func TestXLSXStreamedAboveThreshold(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	for _, n := range []int{SummaryThreshold, SummaryThreshold + 1} {
		r2 := *rep
		r2.Communes = nil
		for len(r2.Communes) < n {
			r2.Communes = append(r2.Communes, rep.Communes[len(r2.Communes)%len(rep.Communes)])
		}
		f := reportWorkbook(t, &r2)
		for _, sheet := range []string{SheetCommunes, SheetStructures} {
			comments, _ := f.GetComments(sheet)
			rows, _ := f.GetRows(sheet)
			if streamed := n > SummaryThreshold; (len(comments) == 0) != streamed || len(rows) < 21 {
				t.Errorf("%d communes, %s: %d comments, %d rows; want streamed %v", n, sheet, len(comments), len(rows), streamed)
			}
		}
	}
}

// TestXLSXProfessionalsHeads: the Professionnels table heads two columns
// per level, the département with its code (Nemours: Seine-et-Marne (77),
// Île-de-France, France); a report without the Assurance Maladie table
// keeps the sheet with its head and GP table.
func TestXLSXProfessionalsHeads(t *testing.T) {
	f := nemoursWorkbook(t)
	rows, _ := f.GetRows(SheetProfessionals)
	want := "Profession | Seine-et-Marne (77) : libéraux (nb) | Seine-et-Marne (77) : densité (pour 10 000 hab.) | Île-de-France : libéraux (nb) | Île-de-France : densité (pour 10 000 hab.) | France : libéraux (nb) | France : densité (pour 10 000 hab.) | Notes"
	if got := strings.Join(rows[0], " | "); got != want {
		t.Errorf("Professionnels head %q", got)
	}
	// One row per profession, the source line one blank row below.
	rep, _ := testReport(t, "epci:200023240")
	for i, p := range rep.Professions {
		if got := rows[1+i][0]; got != professionLabel(p) {
			t.Errorf("Professionnels A%d = %q, want %q", 2+i, got, professionLabel(p))
		}
	}
	if n := len(rep.Professions); len(rows[n+1]) != 0 || !strings.HasPrefix(rows[n+2][0], "Source : Assurance Maladie") {
		t.Errorf("Professionnels rows %d-%d: %q", n+2, n+3, rows[n+1:n+3])
	}
	// The GP row, and it alone, explains why its count differs from the
	// report's.
	mg := findRow(t, f, SheetProfessionals, "Médecins généralistes libéraux (Assurance Maladie 2023)")
	comments, _ := f.GetComments(SheetProfessionals)
	var inA []string
	for _, c := range comments {
		if strings.HasPrefix(c.Cell, "A") {
			inA = append(inA, c.Cell)
			if c.Cell != cell(1, mg) || !strings.HasSuffix(c.Paragraph[0].Text, " : "+professionGPNote(rep)) {
				t.Errorf("comment on %s: %q", c.Cell, c.Paragraph[0].Text)
			}
		}
	}
	if len(inA) != 1 {
		t.Errorf("profession comments on %q, want on %s only", inA, cell(1, mg))
	}
	r2 := *rep
	r2.Professions = nil
	g := reportWorkbook(t, &r2)
	rows, _ = g.GetRows(SheetProfessionals)
	if rows[0][0] != "Profession" || len(rows[0]) != 2 || rows[0][1] != "Notes" {
		t.Errorf("without professions: head %q", rows[0])
	}
	findRow(t, g, SheetProfessionals, "Médecins généralistes : effectif et densité de chaque niveau")
}

// TestXLSXContentTypesSorted: the default content types of the workbook
// ([Content_Types].xml), which excelize lists from a map, are written in
// sorted order, so that the same report gives the same bytes.
func TestXLSXContentTypesSorted(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	ct := workbookPart(t, buf.Bytes(), "[Content_Types].xml")
	defaults := defaultTypeRe.FindAllString(ct, -1)
	if len(defaults) < 3 || !slices.IsSorted(defaults) {
		t.Errorf("default content types %q, want at least 3, sorted", defaults)
	}
}

// TestXLSXSourcesTerritoryWarnings: the Sources sheet gives the territory
// asked for and, under it, each warning of the resolver in French (the
// CPTS La Seyne Toulon ouest covers only part of Toulon), then the level
// sources one blank row below.
func TestXLSXSourcesTerritoryWarnings(t *testing.T) {
	rep, _ := testReport(t, "cpts:La Seyne Toulon")
	if len(rep.Territory.Warnings) != 1 {
		t.Fatalf("warnings %q", rep.Territory.Warnings)
	}
	f := reportWorkbook(t, rep)
	row := findRow(t, f, SheetSources, "Territoire demandé : cpts:La Seyne Toulon")
	rows, _ := f.GetRows(SheetSources)
	if rows[row][0] != "CPTS La Seyne Toulon ouest ne couvre qu'une partie de Toulon (83137), partagée avec d'autres CPTS : toute la commune est comptée." ||
		len(rows[row+1]) != 0 || rows[row+2][0] != "Sources utilisées par chaque niveau de comparaison" {
		t.Errorf("Sources rows %d-%d: %q", row+1, row+3, rows[row:row+3])
	}
}

// TestXLSXStructuresNoSASOutsideKnownDepartements: Mende (48095) lies in
// a département where no ARS stated a SAS status: the Structures sheet has
// no SAS block, empty or not, and its notes follow the counts by kind
// after one blank row.
func TestXLSXStructuresNoSASOutsideKnownDepartements(t *testing.T) {
	rep, _ := testReport(t, "48095")
	if len(rep.SAS) != 0 {
		t.Fatalf("Mende: %d SAS statuses, want none", len(rep.SAS))
	}
	f := reportWorkbook(t, rep)
	rows, err := f.GetRows(SheetStructures)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && (r[0] == "Service d'accès aux soins (SAS)" || r[0] == "Département" && len(r) > 1 && r[1] == "Dispositif") {
			t.Errorf("row %d: %q, no SAS block expected", i+1, r)
		}
	}
	head := findRow(t, f, SheetStructures, "Structures par type (nb)")
	if notes := findRow(t, f, SheetStructures, "Notes"); notes != head+len(diagnostic.Kinds)+2 {
		t.Errorf("notes block at row %d, want %d (counts at %d, %d kinds, a blank row)", notes, head+len(diagnostic.Kinds)+2, head, len(diagnostic.Kinds))
	}
}

// TestXLSXGPSourceUnknown: the BPE counts Paris's GPs for the city, not by
// arrondissement, and not for Paris in this snapshot: Paris 8e and Paris
// have no GP count (n.d. with a note) and no source, shown "—" as in the
// HTML table; Île-de-France and France name theirs.
func TestXLSXGPSourceUnknown(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "75108")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := findRow(t, f, SheetIndicators, "Source des effectifs de médecins généralistes")
	for col, want := range []string{"—", "—", "BPE 2017", "BPE 2017"} {
		if got, _ := f.GetCellValue(SheetIndicators, cell(col+2, row)); got != want {
			t.Errorf("%s: %q, want %q", cell(col+2, row), got, want)
		}
	}
}
