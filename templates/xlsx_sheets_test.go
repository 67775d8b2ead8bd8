package templates

import (
	"bytes"
	"slices"
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
	open := func(r *diagnostic.Report) *excelize.File {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, r); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
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
