package taxonomy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

func load(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func depOf(s *snapshot.Snapshot, e *snapshot.Establishment) string {
	if c := s.Commune(e.Commune); c != nil {
		return c.Dep
	}
	return ""
}

func TestCentreTypeRule(t *testing.T) {
	for _, c := range []struct{ name, long, want string }{
		{"CDS MEDICO DENTAIRE SALVADOR ALLENDE", "", CDS}, // GPs and dentists: polyvalent
		{"CDS MEDICAL ET DENTAIRE GAGNY", "", CDS},
		{"CDS DENTAIRE DE TREMBLAY", "", CDSDentaire},
		{"CDS DENTAIRE ET OPHTALMOLOGIE", "", CDSDentaire},
		{"CLINADENT PARIS", "", CDSDentaire},
		{"CDS INFIRMIER VALLEE DU LOT", "CENTRE DE SANTE INFIRMIER VALLEE DU LOT", CDSInfirmier},
		{"CSI DE LA VALLEE", "", CDSInfirmier},
		{"CDS OPHTALMOLOGIE VILLETANEUSE", "", CDSOphtalmo},
		{"CDS MEGAVISION VILLEPINTE", "", CDSOphtalmo},
		{"CTRE SANTE PLANNING FAMILIAL 45", "", CDSAutre},
		{"CDS ACCESS RADIOLOGIE", "", CDSAutre},
		{"CDS MUNICIPAL PESQUE", "", CDS}, // no specialty named: polyvalent
		{"MOBISANTE 48", "", CDS},
		{"CDS DE L ACCIDENT", "", CDS}, // "accident" is not dental
	} {
		if got := CentreType("124", c.name, c.long); got != c.want {
			t.Errorf("CentreType(%q) = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestHospitalUnitRule(t *testing.T) {
	for _, c := range []struct {
		name, long string
		unit       bool
	}{
		{"CH DE NEMOURS", "", false},
		{"HDJ PSYCHIATRIE", "", true},
		{"CMP BAUER", "", true},
		{"CATTP MINUTE PAPILLON", "", true},
		{"C.A.T.T.P. + HOP JOUR PSY ADULT - S5", "", true},
		{"HÔP.J. PSY. INFANTO-JUVENILE CH CHINON", "", true},
		{"HOPITAL PSY ADULTE HC HJ CHU TOULOUSE", "", false}, // full hospitalisation: beds
		{"UNITE PSYCHIATRIQUE DES MOULINS", "", false},
		{"ANTENNE SMUR DE CALVI", "", true},
		{"CEGIDD ANTENNE VERNON - CHES", "", true},
		{"CTRE PLANIF FAM CH CASTRES", "", true},
		{"HAD CONCORDE", "", true},
		{"UNITE D'HEMODIALYSE A DOMICILE", "", true},
		{"SSR SITE STE ANNE CH MILLAU", "SOINS DE SUITE ET READAPTATION SITE SAINTE ANNE CH MILLAU", false},
		{"CLINIQUE DENTAIRE JEAN DELIBERO APHP", "", true},
		{"SERVICE D'ODONTOLOGIE DU CHR LILLE", "", true},
		{"CTRE SOINS D'ENSEIG RECHERCHE DENTAIRE", "CENTRE DE SOINS D'ENSEIGNEMENT ET DE RECHERCHE DENTAIRE", true},
	} {
		if _, got := HospitalUnit(c.name, c.long); got != c.unit {
			t.Errorf("HospitalUnit(%q) = %v, want %v", c.name, got, c.unit)
		}
	}
}

func TestTable(t *testing.T) {
	if got := Coordinated(); !slices.Equal(got, []string{MSP, CDS}) {
		t.Errorf("exercice coordonné: %v", got)
	}
	var near []string
	for _, k := range NearestKinds() {
		near = append(near, k.Key)
	}
	if !slices.Equal(near, []string{MSP, CDS, Hospital, Emergency, Maternity, Pharmacy}) {
		t.Errorf("nearest kinds %v", near)
	}
	var kept []string
	for c := range KeptCategories {
		kept = append(kept, c)
	}
	sort.Strings(kept)
	if fmt.Sprint(kept) != "[101 106 124 127 130 141 156 223 355 439 500 603 604 606 611 617 618 620 648]" {
		t.Errorf("kept categories %v", kept)
	}
	for _, c := range []string{"439", "106", "648"} { // the mutation probe's survivors
		if !KeptCategories[c] {
			t.Errorf("category %s not kept", c)
		}
	}
	if !Keep("697", true) || Keep("697", false) || Keep("126", false) {
		t.Error("Keep: a hôpital de proximité of any category, not a thermal establishment")
	}
	for _, k := range Kinds {
		if k.Coverage == "" || k.Label == "" {
			t.Errorf("kind %s without label or coverage entry", k.Key)
		}
	}
	for key, cov := range map[string]string{MSP: CoverageEstablishments, Proximity: CoverageProximity, SNP: CoverageSNP, Emergency: CoverageEmergency, Maternity: CoverageMaternity} {
		if k, _ := Lookup(key); k.Coverage != cov {
			t.Errorf("%s: coverage %s, want %s", key, k.Coverage, cov)
		}
	}
	if got := CategoriesOf(Hospital, SNP); !slices.Equal(got, []string{"101", "106", "355", "617", "618", "648"}) {
		t.Errorf("CategoriesOf %v", got)
	}
}

// TestCentresOnRealNames pins the typing of the centres de santé of the
// embedded snapshot (values recomputed by testdata/check_taxonomy.py).
func TestCentresOnRealNames(t *testing.T) {
	s := load(t)
	count := map[string]map[string]int{"93": {}, "48": {}, "FR": {}}
	mende := map[string]int{}
	for i := range s.Establishments {
		e := &s.Establishments[i]
		if e.Category != "124" && e.Category != "439" {
			continue
		}
		k := Classify(e)
		if len(k) != 1 || !isCentre(k[0]) {
			t.Fatalf("%s %s: kinds %v", e.Finess, e.Name, k)
		}
		count["FR"][k[0]]++
		if d := depOf(s, e); count[d] != nil {
			count[d][k[0]]++
		}
		if e.Commune == "48095" {
			mende[k[0]]++
		}
	}
	for dep, want := range map[string]map[string]int{
		// 146 centres in Seine-Saint-Denis: 78 names say "dentaire", of
		// which 33 also say médical/médico (médico-dentaires: polyvalent).
		"93": {CDS: 98, CDSDentaire: 45, CDSOphtalmo: 3},
		// Lozère: 6 centres de soins infirmiers, 1 dental (Mende), MobiSanté 48.
		"48": {CDS: 1, CDSDentaire: 1, CDSInfirmier: 6},
		"FR": {CDS: 1262, CDSDentaire: 888, CDSInfirmier: 367, CDSOphtalmo: 58, CDSAutre: 7},
	} {
		if fmt.Sprint(count[dep]) != fmt.Sprint(want) {
			t.Errorf("dep %s: centres %v, want %v", dep, count[dep], want)
		}
	}
	// Mende: one of its two centres is dental, the other nursing.
	if fmt.Sprint(mende) != fmt.Sprint(map[string]int{CDSDentaire: 1, CDSInfirmier: 1}) {
		t.Errorf("Mende: %v", mende)
	}
}

// TestHospitalsOnRealRows lists what the bed rule drops in Seine-et-Marne
// and Seine-Saint-Denis, and how many sites it drops in France.
func TestHospitalsOnRealRows(t *testing.T) {
	s := load(t)
	dropped := map[string][]string{}
	total, kept := 0, 0
	for i := range s.Establishments {
		e := &s.Establishments[i]
		if !slices.Contains([]string{"101", "355", "106"}, e.Category) {
			continue
		}
		total++
		if slices.Contains(Classify(e), Hospital) {
			kept++
			continue
		}
		if d := depOf(s, e); d == "77" || d == "93" {
			dropped[d] = append(dropped[d], e.Finess)
		}
	}
	want := map[string][]string{
		"77": {"770001253", "770001261", "770001295", "770001444", "770003531", "770011799", "770011898", "770014934", "770020790", "770021012", "770021640", "770023638"},
		"93": {"930019559", "930028147"}, // CMP Bauer, CATTP Minute Papillon
	}
	for d, w := range want {
		if !slices.Equal(dropped[d], w) {
			t.Errorf("dep %s: dropped %v, want %v", d, dropped[d], w)
		}
	}
	if total != 1880 || kept != 1395 { // 485 units without beds dropped (9 of them dental care centres)
		t.Errorf("%d sites under 101/355/106, %d kept as hospitals with beds", total, kept)
	}
}

func TestProximityAndSAEOnRealRows(t *testing.T) {
	s := load(t)
	occ, idf := 0, map[string]string{}
	for i := range s.Establishments {
		e := &s.Establishments[i]
		if !slices.Contains(Classify(e), Proximity) {
			continue
		}
		switch e.ProximitySource {
		case "FINESS Occitanie 2026 (mention dans la raison sociale)":
			occ++
		case "ARS Île-de-France, label au 1er janvier 2022":
			idf[e.Finess] = e.Commune
		default:
			t.Errorf("%s: proximity source %q", e.Finess, e.ProximitySource)
		}
	}
	if occ != 34 || len(idf) != 8 || idf["770000214"] != "77333" {
		t.Errorf("hôpitaux de proximité: %d Occitanie (want 34), Île-de-France %v (want 8, CH de Nemours 770000214 in 77333)", occ, idf)
	}
	urg, mat := 0, 0
	in := map[string]bool{}
	for _, u := range s.Emergency {
		in["u"+u.Finess] = true
	}
	for _, m := range s.Maternities {
		in["m"+m.Finess] = true
	}
	for i := range s.Establishments {
		e := &s.Establishments[i]
		if depOf(s, e) != "974" {
			continue
		}
		if in["u"+e.Finess] {
			urg++
		}
		if in["m"+e.Finess] {
			mat++
		}
	}
	// La Réunion, SAE 2020: 4 emergency departments, 7 maternities (CHU
	// Félix Guyon and Sud, CH Ouest Réunion, GHER, cliniques Jeanne d'Arc,
	// Durieux, Sainte-Clotilde), now that the CEDEX sites are placed.
	if urg != 4 || mat != 7 {
		t.Errorf("974: %d emergency departments, %d maternities; want 4 and 7", urg, mat)
	}
}

func TestCoverageEntries(t *testing.T) {
	s := load(t)
	for _, c := range []struct {
		table, dep string
		ok         bool
		vintage    string
	}{
		{CoverageProximity, "77", true, "2022-01-01"},
		{CoverageProximity, "48", true, "2026-03"},
		{CoverageProximity, "13", false, ""},
		{CoverageSNP, "48", true, "2026-03"},
		{CoverageSNP, "75", false, ""},
		{CoverageEstablishments, "77", true, "2021-01-08"},
		{CoverageEstablishments, "34", true, "2026-03"},
		{CoverageEstablishments, "976", false, ""},
		{CoverageEmergency, "974", true, "2020"},
		{CoverageEmergency, "976", false, ""},
		{"gp_bpe", "75", false, ""},
		{"gp_bpe", "77", true, "2017"},
		{"apl", "976", false, ""},
		{"apl", "974", true, "2023"},
		{"cpts", "06", true, "2026-01"},
		{"cpts", "77", false, ""},
		{"sas", "93", true, "2021-12"},
	} {
		cov, ok := s.Manifest.Table(c.table).Covers(c.dep)
		if ok != c.ok || cov.Vintage != c.vintage {
			t.Errorf("%s covers %s: %v %q, want %v %q", c.table, c.dep, ok, cov.Vintage, c.ok, c.vintage)
		}
	}
	if len(s.SAS) != 8 {
		t.Errorf("%d SAS rows, want the 8 départements of Île-de-France", len(s.SAS))
	}
}

// The "catégories retenues" note of the establishments table names each
// kept category once, in taxonomy order, and the rules that keep other
// sites: it is what a report shows as the scope of its counts.
func TestKeptCategoriesText(t *testing.T) {
	got := KeptCategoriesText()
	const want = "catégories retenues : 603 124 439 604 101 355 106 127 617 618 648 620 611 500 130 606 141 156 223, plus les hôpitaux de proximité"
	if !strings.HasPrefix(got, want) {
		t.Errorf("KeptCategoriesText() = %q, want it to start with %q", got, want)
	}
	for _, phrase := range []string{"sites SAE d'urgences et de maternité", "centres de santé typés par leur nom", "hôpitaux : sites avec lits"} {
		if !strings.Contains(got, phrase) {
			t.Errorf("KeptCategoriesText() lacks %q", phrase)
		}
	}
	for c := range KeptCategories {
		if strings.Count(got, " "+c+" ")+strings.Count(got, " "+c+",") != 1 {
			t.Errorf("category %s not named exactly once in %q", c, got)
		}
	}
}

// TestClassifyCentresInBothCategories: a centre de santé is classified by
// its name whether FINESS files it under 124 (centre de santé) or 439
// (centre de santé polyvalent), for each of the five centre kinds.
func TestClassifyCentresInBothCategories(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"CENTRE DE SANTE MUNICIPAL", CDS},
		{"CDS DENTAIRE DE TREMBLAY", CDSDentaire},
		{"CSI DE LA VALLEE", CDSInfirmier},
		{"CDS OPHTALMOLOGIE VILLETANEUSE", CDSOphtalmo},
		{"CTRE SANTE PLANNING FAMILIAL 45", CDSAutre},
	} {
		for _, cat := range []string{"124", "439"} {
			got := Classify(&snapshot.Establishment{Category: cat, Name: c.name})
			if !slices.Equal(got, []string{c.want}) {
				t.Errorf("%s (category %s): %v, want [%s]", c.name, cat, got, c.want)
			}
		}
	}
}

// TestHasPhrase: a phrase counts as whole words only, also when it first
// appears inside a longer word ("hdj" in "xhdj" before " hdj ").
func TestHasPhrase(t *testing.T) {
	for _, c := range []struct {
		f, p string
		want bool
	}{
		{" hopital de jour ", "hopital de jour", true},
		{" ch hdj nord ", "hdj", true},
		{" chdj xhdj hdj ", "hdj", true},
		{" chdj hdjx ", "hdj", false},
		{" hdj", "hdj", false},
		{"hdj ", "hdj", false},
		{" consultations ", "consult", false},
		{" smur smur ", "smur", true},
		{" c a t t p ", "c a t t p", true},
		{" ", "hc", false},
	} {
		if got := hasPhrase(c.f, c.p); got != c.want {
			t.Errorf("hasPhrase(%q, %q) = %v, want %v", c.f, c.p, got, c.want)
		}
	}
}

// FuzzHasPhrase: hasPhrase finds " "+p+" " in f, as strings.Contains does.
func FuzzHasPhrase(f *testing.F) {
	f.Add(" chdj xhdj hdj ", "hdj")
	f.Add(" hopital de jour ", "de")
	f.Add("  ", "")
	f.Fuzz(func(t *testing.T, s, p string) {
		if got, want := hasPhrase(s, p), strings.Contains(s, " "+p+" "); got != want {
			t.Fatalf("hasPhrase(%q, %q) = %v, want %v", s, p, got, want)
		}
	})
}

// TestReadsNames: the categories whose establishments Classify types by
// name are the centres de santé's and the hospitals'; for every other
// category, names that would make a centre dentaire or a hospital unit
// change nothing, which is what lets a caller classify one establishment
// per category and label.
func TestReadsNames(t *testing.T) {
	for _, c := range []string{"124", "439", "101", "355", "106"} {
		if !ReadsNames(c) {
			t.Errorf("category %s: Classify reads the names", c)
		}
	}
	for _, c := range []string{"603", "620", "604", "127", "500", "611", "130", "999", ""} {
		if ReadsNames(c) {
			t.Errorf("category %s: Classify does not read the names", c)
		}
	}
	names := [][2]string{{"CENTRE DENTAIRE", "CMP HOPITAL DE JOUR"}, {"CENTRE DE SANTE INFIRMIER", "HDJ"}, {"", ""}}
	for c := range kindsOfCategory {
		for _, prox := range []bool{false, true} {
			var got [][]string
			for _, n := range names {
				got = append(got, Classify(&snapshot.Establishment{Category: c, Name: n[0], LongName: n[1], ProximityHospital: prox}))
			}
			same := slices.EqualFunc(got[1:], got[:len(got)-1], slices.Equal)
			if same == ReadsNames(c) {
				t.Errorf("category %s: ReadsNames %v, but Classify gives %v for names %v", c, ReadsNames(c), got, names)
			}
		}
	}
}

// centreTypeBySet is CentreType as it was written first: its rules asked
// of the set of the names' words, for TestCentreTypeAsBySet.
func centreTypeBySet(name, longName string) string {
	set := map[string]bool{}
	for _, n := range []string{name, longName} {
		for _, w := range strings.Fields(textnorm.Fold(n)) {
			set[w] = true
		}
	}
	for _, r := range centreRules {
		if hasPhrase(folded(name, longName), r.phrases...) {
			return r.key
		}
		for x := range set {
			if r.word(x) {
				return r.key
			}
		}
	}
	return CDS
}

// TestCentreTypeAsBySet: CentreType on the list of the names' words types
// every establishment of France (names and long names, also swapped and
// each alone) as its rules did on their set.
func TestCentreTypeAsBySet(t *testing.T) {
	s := load(t)
	types := map[string]int{}
	for _, e := range s.Establishments {
		for _, n := range [][2]string{{e.Name, e.LongName}, {e.LongName, e.Name}, {e.Name, ""}, {"", e.LongName}} {
			got, want := CentreType(e.Category, n[0], n[1]), centreTypeBySet(n[0], n[1])
			if got != want {
				t.Fatalf("%s %q / %q: %s, want %s", e.Finess, n[0], n[1], got, want)
			}
			types[got]++
		}
	}
	if len(types) != 5 {
		t.Errorf("types found: %v", types)
	}
}
