package importer

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/rpps"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// TestRPPSParallelSameAsReference imports a synthetic extraction of six
// 1 MB chunks or so, with the cases the parallel reading must not get
// wrong — CRLF and LF lines, blank lines, no final line break, old codes
// of merged communes, arrondissements, codes unknown to the COG, sites
// without commune, identifiers that are not digit strings (hashed keys),
// hospital-salaried and centre de santé GPs — and checks the three tables
// against a plain reference: rpps.Read, one line at a time, and maps of
// sets, written from the rules of DATA.md, not from the importer's code.
func TestRPPSParallelSameAsReference(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 6 MB file")
	}
	s := embedded(t)
	plain := filepath.Join(t.TempDir(), "plain.txt")
	writeSyntheticRPPS(t, plain, 20_000)
	b, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	head := strings.Split(strings.TrimSuffix(lines[0], "|"), "|")
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q", name)
		}
		return i
	}
	cCommune, cID, cNat, cMode, cSector := col("Code commune (coord. structure)"), col("Identifiant PP"),
		col("Identification nationale PP"), col("Code mode exercice"), col("Code secteur d'activité")
	old := s.OldCodes[len(s.OldCodes)/2].Code
	var out strings.Builder
	out.WriteString(lines[0] + "\n")
	for i, l := range lines[1:] {
		f := strings.Split(l, "|")
		switch i % 97 {
		case 3:
			f[cCommune] = old // an old code: counts in its commune nouvelle
		case 5:
			f[cCommune] = "75111" // an arrondissement: Paris, the place kept in gp_rpps
		case 7:
			f[cCommune] = "99999" // unknown to the COG: not counted
		case 11:
			f[cCommune] = "" // no commune
		case 13:
			f[cMode], f[cSector] = "S", "SA05" // centre de santé
		case 17:
			f[cMode], f[cSector] = "S", "SA01" // hospital: not a GP site
		}
		if i%1000 < 3 { // non-digit identifiers: hashed person keys
			f[cID] = "X" + f[cID]
			f[cNat] = "8X" + f[cID][1:]
		}
		out.WriteString(strings.Join(f, "|"))
		switch {
		case i%50 == 0:
			out.WriteString("\r\n")
		case i%333 == 0:
			out.WriteString("\n\n")
		default:
			out.WriteString("\n")
		}
	}
	text := strings.TrimSuffix(out.String(), "\n") // no final line break
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202601150830.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	im := &Importer{AllowShrink: true, ReplaceNational: true, Embedded: s, Current: s, Now: func() time.Time { return importTime }}
	res, err := im.Import(t.Context(), dir, Sources{RPPS: path})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		t.Fatal(err)
	}

	// The reference.
	codes := NewCodes(s)
	type pk struct{ code, prof string }
	people, liberal := map[pk]map[string]bool{}, map[pk]map[string]bool{}
	gp := map[string]bool{}
	type place struct{ person, code string }
	mode := map[place]string{} // "liberal" wins over "cds"
	read := 0
	err = rpps.Read(strings.NewReader(text), path, func(a *rpps.Activity) error {
		read++
		id := cmp.Or(a.NationalID, a.ID)
		if a.Profession == rpps.Medecin && rpps.IsGPSavoirFaire(a.SavoirFaire) {
			gp[id] = true
		}
		cur, kind, ok := codes.Current(a.Commune)
		if !ok {
			return nil
		}
		k := pk{cur, a.Profession}
		if people[k] == nil {
			people[k], liberal[k] = map[string]bool{}, map[string]bool{}
		}
		people[k][id] = true
		if a.Mode == "L" {
			liberal[k][id] = true
		}
		if a.Profession == rpps.Medecin {
			p := place{id, cur}
			if kind == KindArrondissement {
				p.code = a.Commune
			}
			switch m := rpps.APLMode(a); {
			case m == rpps.APLLiberal:
				mode[p] = snapshot.GPModeLiberal
			case m == rpps.APLCentre && mode[p] == "":
				mode[p] = snapshot.GPModeCDS
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wantPros []string
	for k, ps := range people {
		wantPros = append(wantPros, fmt.Sprintf("%s %s %d %d", k.code, k.prof, len(ps), len(liberal[k])))
		if k.prof == rpps.Medecin {
			n, l := 0, 0
			for id := range ps {
				if gp[id] {
					n++
					if liberal[k][id] {
						l++
					}
				}
			}
			if n > 0 {
				wantPros = append(wantPros, fmt.Sprintf("%s %s %d %d", k.code, GPProfession, n, l))
			}
		}
	}
	var wantSites []string
	perCommune := map[string]map[string]bool{}
	for p, m := range mode {
		if !gp[p.person] {
			continue
		}
		wantSites = append(wantSites, fmt.Sprintf("%s %s %s", p.person, p.code, m))
		cur, _, _ := codes.Current(p.code)
		if perCommune[cur] == nil {
			perCommune[cur] = map[string]bool{}
		}
		perCommune[cur][p.person] = true
	}
	var wantGPs []string
	for c, ps := range perCommune {
		wantGPs = append(wantGPs, fmt.Sprintf("%s %d", c, len(ps)))
	}

	var gotPros, gotSites, gotGPs []string
	for _, p := range got.Professionals {
		gotPros = append(gotPros, fmt.Sprintf("%s %s %d %d", p.Code, p.Profession, p.Count, p.Liberal))
	}
	for _, g := range got.GPSites {
		gotSites = append(gotSites, fmt.Sprintf("%s %s %s", g.Person, g.Code, g.Mode))
	}
	for _, g := range got.GPs {
		gotGPs = append(gotGPs, fmt.Sprintf("%s %d", g.Code, g.Count))
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{{"professionals", gotPros, wantPros}, {"gp_rpps", gotSites, wantSites}, {"gp_bpe", gotGPs, wantGPs}} {
		slices.Sort(c.got)
		slices.Sort(c.want)
		if len(c.want) < 100 || !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %d rows, reference %d", c.name, len(c.got), len(c.want))
			for i := range min(len(c.got), len(c.want)) {
				if c.got[i] != c.want[i] {
					t.Fatalf("first difference: %q, reference %q", c.got[i], c.want[i])
				}
			}
		}
	}
	// Every case was met, and the line count is the reader's.
	hashed := slices.ContainsFunc(got.GPSites, func(g snapshot.GPSite) bool { return strings.Contains(g.Person, "X") })
	arr := slices.ContainsFunc(got.GPSites, func(g snapshot.GPSite) bool { return g.Code == "75111" })
	cds := slices.ContainsFunc(got.GPSites, func(g snapshot.GPSite) bool { return g.Mode == snapshot.GPModeCDS })
	if res[0].Read != read || read < 20_000 || !hashed || !arr || !cds || bytes.Count([]byte(text), []byte("\r\n")) == 0 {
		t.Errorf("read %d lines (reference %d); hashed ids %v, arrondissement %v, centre de santé %v", res[0].Read, read, hashed, arr, cds)
	}
}
