package apl

import (
	"bytes"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// textRows feeds parseSheet / parseParameters from text, one row per line
// and one cell per tab, so the fuzzer explores the sheet logic without
// spending its time inside the zip and XML layers.
func textRows(s string) *rowSource {
	lines := strings.Split(s, "\n")
	src := &rowSource{file: "fuzz.xlsx", sheet: "APL 2023", close: func() {}}
	i := 0
	src.next = func() ([]string, bool, error) {
		if i >= len(lines) {
			return nil, false, nil
		}
		i++
		if lines[i-1] == "" {
			return nil, true, nil
		}
		return strings.Split(lines[i-1], "\t"), true, nil
	}
	return src
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	pe, ok := parseerr.As(err)
	if !ok {
		t.Fatalf("error %v is %T, not *parseerr.Error", err, err)
	}
	if pe.File != "fuzz.xlsx" {
		t.Fatalf("error names file %q", pe.File)
	}
}

const seedSheet = "Indicateur APL 2023\n\nCode commune INSEE\tCommune\tAPL aux médecins généralistes\tAPL aux médecins généralistes de moins de 65 ans\tPopulation standardisée 2021 pour la médecine générale\tPopulation totale 2021\n" +
	"\t\t" + uAPL + "\t" + uAPL + "\t" + uStd + "\t" + uTot + "\n" +
	"01001\tL'Abergement-Clémenciat\t1.9419999999999999\t1.881\t838.154\t832\n" +
	"1002\tX\t2,5\t2\t3\t4\n\nSource : Drees\n"

const seedParams = "Comptabilisation de l'activité\nA\tB\nMoins de 250\t0\nEntre 251 et 3 600\t3600\nEntre 3 601 et 6 000\tNombre de consultations\nPlus de 6 000\t6000\n\n" +
	"Décroissance de l'accessibilité avec la distance\nTemps\tAccessibilité\nMoins de 10 minutes\t1\nPlus de 10 minutes\t0\n\n" +
	"Pondération de la population selon l'âge\nTranche\tPoids 2022\tPoids 2023\nMoins de 5 ans\t0.93\t1.12\nPlus de 90 ans\t2.39\t2.26\n"

// FuzzParseSheet checks that no input makes the sheet and parameter parsers
// panic, that failures are positioned *parseerr.Error values, and that
// accepted records are well formed.
func FuzzParseSheet(f *testing.F) {
	f.Add(seedSheet)
	f.Add(seedParams)
	// A later release: notes reordered, Millésime, header lower, columns
	// swapped and an extra one.
	f.Add("Note : x\nChamp : France hors Mayotte.\nMillésime : 2024\n\nCode commune INSEE\tCommune\tAPL aux médecins généralistes\tAPL aux médecins généralistes âgés de 65 ans ou moins\tPopulation totale 2022\tPopulation standardisée 2022\tDépartement\n" +
		"\t\t" + uAPL + "\t" + uAPL + "\t" + uTot + "\t" + uStd + "\t\n\n01001\tA\t2.014\t1.902\t859\t861.538\tAin\n")
	f.Add("Code commune INSEE\tCommune\n01001\tA\n")
	f.Fuzz(func(t *testing.T, s string) {
		sh, found, err := parseSheet(textRows(s), true)
		checkErr(t, err)
		if err == nil && !found {
			t.Fatal("a sheet named like a vintage without its table accepted")
		}
		if err == nil {
			if sh.Vintage < MinVintage || sh.Vintage > MaxVintage {
				t.Fatalf("vintage %d", sh.Vintage)
			}
			if len(sh.Records) == 0 {
				t.Fatal("success without records")
			}
			seen := map[string]bool{}
			for _, r := range sh.Records {
				if c, ok := textio.CommuneCode(r.Code); !ok || c != r.Code || seen[r.Code] {
					t.Fatalf("bad or duplicate code %q", r.Code)
				}
				seen[r.Code] = true
				if r.APL < 0 || r.PopTotal < 0 || r.Row < 1 {
					t.Fatalf("bad record %+v", r)
				}
			}
		}
		p, err := parseParameters(textRows(s))
		checkErr(t, err)
		if err == nil && (len(p.DecayBands) == 0 || len(p.ActivityBounds) == 0 || len(p.AgeWeights) == 0) {
			t.Fatalf("incomplete parameters accepted: %v", p)
		}
	})
}

// FuzzReadWorkbook mutates whole workbooks: the reader must turn whatever
// excelize makes of them into errors, never panics.
func FuzzReadWorkbook(f *testing.F) {
	f.Add(goodWorkbook(f))
	f.Add(buildWorkbook(f, release2024("Feuil1", true), paramsSheet()))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sheets, _, err := ReadWorkbookReader(bytes.NewReader(b), "fuzz.xlsx")
		checkErr(t, err)
		if err == nil && len(sheets) == 0 {
			t.Fatal("success without sheets")
		}
	})
}
