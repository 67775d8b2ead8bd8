package diagnostic

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// territorySnapshot is a small snapshot written by hand, with real codes and
// names where they exist and a few fictive rows (marked) to reach every
// branch of the resolver.
func territorySnapshot() *snapshot.Snapshot {
	return &snapshot.Snapshot{
		// Deliberately not sorted: the resolver must not rely on it.
		Communes: []snapshot.Commune{
			{Code: "77333", Name: "Nemours", Dep: "77", Reg: "11", EPCI: "200023240", Population: 13000},
			{Code: "01001", Name: "L'Abergement-Clémenciat", Dep: "01", Reg: "84", Population: 860},
			// Fictive homonyms within one département.
			{Code: "01901", Name: "Beaulieu", Dep: "01", Reg: "84", Population: 300},
			{Code: "01902", Name: "Beaulieu", Dep: "01", Reg: "84", Population: 200},
			{Code: "11339", Name: "Saint-Denis", Dep: "11", Reg: "76", Population: 600},
			{Code: "13001", Name: "Aix-en-Provence", Dep: "13", Reg: "93", EPCI: "200054807", Population: 145000},
			{Code: "13012", Name: "Beaurecueil", Dep: "13", Reg: "93", EPCI: "200054807", Population: 600},
			{Code: "13055", Name: "Marseille", Dep: "13", Reg: "93", EPCI: "200054807", Population: 870000},
			{Code: "2A004", Name: "Ajaccio", Dep: "2A", Reg: "94", Population: 72000},
			{Code: "42218", Name: "Saint-Étienne", Dep: "42", Reg: "84", Population: 173000},
			{Code: "48095", Name: "Mende", Dep: "48", Reg: "76", Population: 12000},
			{Code: "48146", Name: "Saint-Chély-d'Apcher", Dep: "48", Reg: "76", Population: 4000},
			{Code: "75056", Name: "Paris", Dep: "75", Reg: "11", EPCI: "200054781", Population: 2100000},
			{Code: "77016", Name: "Bagneaux-sur-Loing", Dep: "77", Reg: "11", EPCI: "200023240", Population: 1700},
			{Code: "77186", Name: "Fontainebleau", Dep: "77", Reg: "11", EPCI: "200072346", Population: 15000},
			{Code: "83126", Name: "Six-Fours-les-Plages", Dep: "83", Reg: "93", Population: 33000},
			{Code: "83137", Name: "Toulon", Dep: "83", Reg: "93", Population: 180000},
			{Code: "93066", Name: "Saint-Denis", Dep: "93", Reg: "11", EPCI: "200054781", Population: 113000},
			{Code: "97411", Name: "Saint-Denis", Dep: "974", Reg: "04", Population: 150000},
		},
		Arrondissements: []snapshot.Arrondissement{
			{Code: "75108", Name: "Paris 8e Arrondissement", Commune: "75056"},
			{Code: "13201", Name: "Marseille 1er Arrondissement", Commune: "13055"},
			{Code: "13202", Name: "Marseille 2e Arrondissement", Commune: "13055"},
			{Code: "13202", Name: "Marseille 2e Arrondissement", Commune: "13055"},
			// Lyon is missing from Communes to reach the broken-link branch.
			{Code: "69381", Name: "Lyon 1er Arrondissement", Commune: "69123"},
		},
		OldCodes: []snapshot.OldCode{
			{Code: "48099", Name: "Badaroux-Vieux", Current: "48095", Kind: "commune-deleguee"}, // fictive
			{Code: "77999", Current: "77333", Kind: "ancien-code"},                              // fictive
			// A commune nouvelle merged again: two steps.
			{Code: "13999", Name: "Vieux-Bourg", Current: "13998", Kind: "commune-associee"},   // fictive
			{Code: "13998", Name: "Bourg-Nouveau", Current: "13001", Kind: "commune-deleguee"}, // fictive
			{Code: "42999", Name: "Nulle-Part", Current: "42998", Kind: "commune-deleguee"},    // fictive, broken
		},
		EPCIs: []snapshot.EPCI{
			{Siren: "200023240", Name: "CC Pays de Nemours", Type: "CC", Population: 14700, Members: []string{"77333", "77016"}},
			// Fictive members 77999 (old code) and 77997 (unknown).
			{Siren: "200072346", Name: "CA du Pays de Fontainebleau", Type: "CA", Population: 26000, Members: []string{"77186", "77999", "77997"}},
			{Siren: "200054781", Name: "Métropole du Grand Paris", Type: "METRO", Population: 7000000, Members: []string{"75056", "93066"}},
			{Siren: "200054807", Name: "Métropole d'Aix-Marseille-Provence", Type: "METRO", Population: 1900000, Members: []string{"13001", "13012", "13055"}},
			// Fictive: an EPCI named like a commune.
			{Siren: "200099999", Name: "Mende", Type: "CC", Population: 12000, Members: []string{"48095"}},
			// Fictive: two EPCI with the same name.
			{Siren: "200099997", Name: "CC Val Doux", Type: "CC", Population: 100, Members: []string{"42218"}},
			{Siren: "200099996", Name: "CC Val Doux", Type: "CC", Population: 200, Members: []string{"42218"}},
		},
		Departements: []snapshot.Departement{
			{Code: "01", Name: "Ain", Region: "84"},
			{Code: "11", Name: "Aude", Region: "76"},
			{Code: "13", Name: "Bouches-du-Rhône", Region: "93"},
			{Code: "2A", Name: "Corse-du-Sud", Region: "94"},
			{Code: "42", Name: "Loire", Region: "84"},
			{Code: "48", Name: "Lozère", Region: "76"},
			{Code: "75", Name: "Paris", Region: "11"},
			{Code: "77", Name: "Seine-et-Marne", Region: "11"},
			{Code: "83", Name: "Var", Region: "93"},
			{Code: "93", Name: "Seine-Saint-Denis", Region: "11"},
			{Code: "974", Name: "La Réunion", Region: "04"},
			{Code: "975", Name: "Saint-Pierre-et-Miquelon"},
		},
		Regions: []snapshot.Region{
			{Code: "04", Name: "La Réunion"},
			{Code: "11", Name: "Île-de-France"},
			{Code: "76", Name: "Occitanie"},
			{Code: "84", Name: "Auvergne-Rhône-Alpes"},
			{Code: "93", Name: "Provence-Alpes-Côte d'Azur"},
			{Code: "94", Name: "Corse"},
		},
		CPTS: []snapshot.CPTSMember{
			{CPTS: "CPTS Aix Sainte Victoire", Commune: "13001"},
			{CPTS: "CPTS Aix Sainte Victoire", Commune: "13012"},
			{CPTS: "CPTS Aix Sainte Victoire", Commune: "13001"}, // repeated, as in the ARS file
			{CPTS: "CPTS Aix Sainte Victoire", Commune: "13055", Arrondissements: []string{"13202"}},
			{CPTS: "CPTS Aix Sainte Victoire", Commune: "13055", Arrondissements: []string{"13201"}},
			{CPTS: "CPTS La Seyne Toulon ouest", Commune: "83126", InfraCommunal: "Toulon"},
			{CPTS: "CPTS La Seyne Toulon ouest", Commune: "83137", InfraCommunal: "Toulon"},
			{CPTS: "CPTS du Pays de Nemours", Commune: "77333"}, // fictive
			{CPTS: "CPTS du Pays de Nemours", Commune: "77016"},
			{CPTS: "CPTS du Pays de Nemours", Commune: "77999"},
			{CPTS: "CPTS du Pays de Nemours", Commune: "77997"},
			{CPTS: "CPTS Marseille 1", Commune: "13055", Arrondissements: []string{"13201"}}, // fictive
			{CPTS: "CPTS Marseille 1", Commune: "13055"},                                     // a whole row wins
			{CPTS: "CPTS Nice Est", Commune: "83126", InfraCommunal: "Nice"},                 // fictive: shared commune not a member
		},
	}
}

var territoryResolver = sync.OnceValue(func() *Resolver { return NewResolver(territorySnapshot()) })

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		items    []string
		communes []string
		label    string
		warnings []string // substrings, one per warning, in order
	}{
		{"code", []string{"77333"}, []string{"77333"}, "Nemours", nil},
		{"name trimmed and lower case", []string{"  nemours "}, []string{"77333"}, "Nemours", nil},
		{"name upper case", []string{"NEMOURS"}, []string{"77333"}, "Nemours", nil},
		{"four-digit code padded", []string{"1001"}, []string{"01001"}, "L'Abergement-Clémenciat", nil},
		{"Corsican code any case", []string{"2a004"}, []string{"2A004"}, "Ajaccio", nil},
		{"accents", []string{"Saint-Étienne"}, []string{"42218"}, "Saint-Étienne", nil},
		{"abbreviation", []string{"st etienne"}, []string{"42218"}, "Saint-Étienne", nil},
		{"apostrophe", []string{"saint chely d apcher"}, []string{"48146"}, "Saint-Chély-d'Apcher", nil},
		{"homonym by département", []string{"Saint-Denis (93)"}, []string{"93066"}, "Saint-Denis", nil},
		{"homonym overseas", []string{"Saint-Denis (974)"}, []string{"97411"}, "Saint-Denis", nil},
		{"homonym no space", []string{"saint denis(11)"}, []string{"11339"}, "Saint-Denis", nil},
		{"commune prefix", []string{"commune:Nemours"}, []string{"77333"}, "Nemours", nil},
		{"quoted", []string{`"Nemours"`}, []string{"77333"}, "Nemours", nil},
		// An arrondissement municipal is a place of its own; the city
		// absorbs it when both are given.
		{"arrondissement code", []string{"75108"}, []string{"75108"}, "Paris 8e Arrondissement", nil},
		{"arrondissement name", []string{"Paris 8e arrondissement"}, []string{"75108"}, "Paris 8e Arrondissement", nil},
		{"arrondissement and its city", []string{"13201", "Marseille"}, []string{"13055"}, "Marseille 1er Arrondissement + Marseille", nil},
		{"old code of a commune déléguée", []string{"48099"}, []string{"48095"}, "Mende",
			[]string{"old code 48099 (Badaroux-Vieux, commune déléguée) is now part of Mende (48095); 48095 is used"}},
		{"old code without name", []string{"77999"}, []string{"77333"}, "Nemours",
			[]string{"old code 77999 is now part of Nemours (77333); 77333 is used"}},
		{"old code in two steps", []string{"13999"}, []string{"13001"}, "Aix-en-Provence",
			[]string{"old code 13999 (Vieux-Bourg, commune associée) is now part of Aix-en-Provence (13001)"}},
		{"epci by SIREN", []string{"epci:200023240"}, []string{"77016", "77333"}, "CC Pays de Nemours", nil},
		{"bare SIREN", []string{"200023240"}, []string{"77016", "77333"}, "CC Pays de Nemours", nil},
		{"bare EPCI name", []string{"cc pays de nemours"}, []string{"77016", "77333"}, "CC Pays de Nemours", nil},
		{"epci by words", []string{"EPCI: pays de nemours"}, []string{"77016", "77333"}, "CC Pays de Nemours", nil},
		{"epci with old and unknown members", []string{"epci:fontainebleau"}, []string{"77186", "77333"}, "CA du Pays de Fontainebleau",
			[]string{"EPCI CA du Pays de Fontainebleau lists old code 77999, now part of Nemours (77333); 77333 is used",
				"EPCI CA du Pays de Fontainebleau lists 77997, which is not a current commune; it is left out"}},
		{"commune wins over EPCI", []string{"Mende"}, []string{"48095"}, "Mende",
			[]string{`"Mende" is also the name of an EPCI; the commune is used, write "epci:200099999" for the EPCI`}},
		{"epci named like a commune", []string{"epci:Mende"}, []string{"48095"}, "Mende", nil},
		{"dep code", []string{"dep:77"}, []string{"77016", "77186", "77333"}, "Seine-et-Marne", nil},
		{"dep Corsica lower case", []string{"dep:2a"}, []string{"2A004"}, "Corse-du-Sud", nil},
		{"dep one digit", []string{"dep:1"}, []string{"01001", "01901", "01902"}, "Ain", nil},
		{"dep overseas long prefix", []string{"Département:974"}, []string{"97411"}, "La Réunion", nil},
		{"dep name", []string{"dep:Lozère"}, []string{"48095", "48146"}, "Lozère", nil},
		{"dep name folded", []string{"dep:lozere"}, []string{"48095", "48146"}, "Lozère", nil},
		{"reg code", []string{"reg:76"}, []string{"11339", "48095", "48146"}, "Occitanie", nil},
		{"reg name", []string{"region:occitanie"}, []string{"11339", "48095", "48146"}, "Occitanie", nil},
		{"cpts with arrondissements", []string{"cpts:CPTS Aix Sainte Victoire"}, []string{"13001", "13012", "13201", "13202"}, "CPTS Aix Sainte Victoire", nil},
		{"cpts quoted words", []string{`cpts:"aix sainte victoire"`}, []string{"13001", "13012", "13201", "13202"}, "CPTS Aix Sainte Victoire",
			nil},
		{"cpts whole row wins", []string{"cpts:marseille 1"}, []string{"13055"}, "CPTS Marseille 1", nil},
		{"cpts infra-communal", []string{"cpts:La Seyne Toulon"}, []string{"83126", "83137"}, "CPTS La Seyne Toulon ouest",
			[]string{"CPTS La Seyne Toulon ouest covers only part of Toulon (83137), shared with other CPTS; the whole commune is used"}},
		{"cpts old and unknown members", []string{"cpts:nemours"}, []string{"77016", "77333"}, "CPTS du Pays de Nemours",
			[]string{"CPTS du Pays de Nemours lists old code 77999, now part of Nemours (77333); 77333 is used",
				"CPTS du Pays de Nemours lists 77997, which is not a current commune; it is left out"}},
		{"cpts sharing a commune outside its members", []string{"cpts:nice"}, []string{"83126"}, "CPTS Nice Est",
			[]string{"CPTS Nice Est shares part of Nice with other CPTS"}},
		{"union", []string{"Nemours", "Bagneaux-sur-Loing"}, []string{"77016", "77333"}, "Nemours + Bagneaux-sur-Loing", nil},
		{"union with overlap", []string{"dep:77", "Nemours"}, []string{"77016", "77186", "77333"}, "Seine-et-Marne + Nemours", nil},
		{"repeated item", []string{"Nemours", "77333", "nemours"}, []string{"77333"}, "Nemours", nil},
		{"homonyms told apart", []string{"Saint-Denis (93)", "Saint-Denis (974)"}, []string{"93066", "97411"}, "Saint-Denis (93) + Saint-Denis (974)", nil},
		{"long list summarised", []string{"Nemours", "Mende", "Ajaccio", "Toulon", "Paris"},
			[]string{"2A004", "48095", "75056", "77333", "83137"}, "Nemours + Mende + Ajaccio + 2 autres",
			[]string{"also the name of an EPCI"}},
		{"warnings deduplicated", []string{"77999", "77999"}, []string{"77333"}, "Nemours", []string{"old code 77999"}},
	}
	r := territoryResolver()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(tt.items...)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.items, err)
			}
			if !slices.Equal(got.Communes, tt.communes) {
				t.Errorf("Communes = %q, want %q", got.Communes, tt.communes)
			}
			if got.Label != tt.label {
				t.Errorf("Label = %q, want %q", got.Label, tt.label)
			}
			if !slices.Equal(got.Items, tt.items) {
				t.Errorf("Items = %q, want %q", got.Items, tt.items)
			}
			if len(got.Warnings) != len(tt.warnings) {
				t.Fatalf("Warnings = %q, want %d matching %q", got.Warnings, len(tt.warnings), tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(got.Warnings[i], w) {
					t.Errorf("Warnings[%d] = %q, want it to contain %q", i, got.Warnings[i], w)
				}
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name       string
		items      []string
		item       string // Item of the first error
		reason     string // substring of its Reason
		candidates []string
	}{
		{"no items", nil, "", "no territory given", nil},
		{"empty item", []string{""}, "", "empty territory item", nil},
		{"blank item", []string{"   "}, "   ", "empty territory item", nil},
		{"empty quotes", []string{`""`}, `""`, "empty territory item", nil},
		{"unknown code", []string{"99999"}, "99999", "unknown commune code", nil},
		{"postal code", []string{"77140"}, "77140", "not a postal code", nil},
		{"old code to nowhere", []string{"42999"}, "42999", "not a current commune", nil},
		{"arrondissement of a missing commune", []string{"69381"}, "69381", "arrondissement of 69123", nil},
		{"ambiguous name", []string{"Saint-Denis"}, "Saint-Denis", `3 communes have this name; give the INSEE code or the département, e.g. "Saint-Denis (974)"`,
			[]string{"97411", "93066", "11339"}},
		{"homonym not in département", []string{"Saint-Denis (13)"}, "Saint-Denis (13)", "no commune of this name in département 13",
			[]string{"97411", "93066", "11339"}},
		{"unknown département in suffix", []string{"Saint-Denis (99)"}, "Saint-Denis (99)", "unknown département 99", nil},
		{"name in suffix département not found", []string{"Zzz (77)"}, "Zzz (77)", "no commune or EPCI has this name", nil},
		{"typo gives suggestions", []string{"Nemour"}, "Nemour", "no commune or EPCI has this name; closest names", []string{"77333", "epci:200023240", "cpts:CPTS du Pays de Nemours"}},
		{"typo in one word", []string{"Bagnaux sur Loing"}, "Bagnaux sur Loing", "closest names", []string{"77016"}},
		{"nothing close", []string{"Zzzz"}, "Zzzz", "no commune or EPCI has this name", nil},
		{"punctuation only", []string{"!!!"}, "!!!", "not a commune name or code", nil},
		{"département code without prefix", []string{"77"}, "77", `not a commune; for the département write "dep:77"`, nil},
		{"département name without prefix", []string{"Lozère"}, "Lozère", `write "dep:Lozère"`, nil},
		{"région name without prefix", []string{"Occitanie"}, "Occitanie", `write "reg:Occitanie"`, nil},
		{"CPTS name without prefix", []string{"CPTS Aix Sainte Victoire"}, "CPTS Aix Sainte Victoire", `write "cpts:CPTS Aix Sainte Victoire"`, nil},
		{"unknown prefix", []string{"foo:bar"}, "foo:bar", `unknown prefix "foo:"`, nil},
		{"empty after prefix", []string{"epci: "}, "epci: ", `nothing after "epci:"`, nil},
		{"unknown SIREN", []string{"epci:123456789"}, "epci:123456789", "unknown EPCI SIREN", nil},
		{"unknown bare SIREN", []string{"123456789"}, "123456789", "unknown EPCI SIREN", nil},
		{"ambiguous EPCI words", []string{"epci:pays"}, "epci:pays", "2 EPCI match", []string{"epci:200072346", "epci:200023240"}},
		{"unknown EPCI name", []string{"epci:Qwerty"}, "epci:Qwerty", "no EPCI has this name", nil},
		{"EPCI typo", []string{"epci:Pays de Nemuors"}, "epci:Pays de Nemuors", "no EPCI has this name; closest names", []string{"epci:200072346", "epci:200023240"}},
		{"unknown département code", []string{"dep:99"}, "dep:99", "unknown département code", nil},
		{"département without communes", []string{"dep:975"}, "dep:975", "designates no current commune", nil},
		{"ambiguous département name", []string{"dep:Seine"}, "dep:Seine", "2 départements match", []string{"dep:77", "dep:93"}},
		{"unknown département name", []string{"dep:Atlantide"}, "dep:Atlantide", "no département has this name", nil},
		{"unknown région code", []string{"reg:99"}, "reg:99", "unknown région code", nil},
		{"ambiguous CPTS", []string{"cpts:cpts"}, "cpts:cpts", "5 CPTS match", []string{
			"cpts:CPTS Aix Sainte Victoire", "cpts:CPTS La Seyne Toulon ouest", "cpts:CPTS Marseille 1", "cpts:CPTS Nice Est", "cpts:CPTS du Pays de Nemours"}},
		{"CPTS typo", []string{"cpts:Aix Sainte Victiore"}, "cpts:Aix Sainte Victiore", "no CPTS has this name; closest names", []string{"cpts:CPTS Aix Sainte Victoire"}},
		{"homonyms within a département", []string{"Beaulieu (01)"}, "Beaulieu (01)", "2 communes of département 01 have this name; give the INSEE code", []string{"01901", "01902"}},
		{"homonym EPCI", []string{"CC Val Doux"}, "CC Val Doux", "2 EPCI have this name; give the SIREN", []string{"epci:200099996", "epci:200099997"}},
		{"unknown région name", []string{"reg:Atlantide"}, "reg:Atlantide", "no région has this name", nil},
		{"département name made of punctuation", []string{"dep:!!!"}, "dep:!!!", "no département has this name", nil},
		{"short words not suggested", []string{"Xy Zw"}, "Xy Zw", "no commune or EPCI has this name", nil},
		{"colon after a digit stays a name", []string{"1:2"}, "1:2", "no commune or EPCI has this name", nil},
		{"unknown CPTS", []string{"cpts:Atlantide"}, "cpts:Atlantide", "no CPTS has this name", nil},
		{"first of several errors", []string{"Nemours", "99999", "Zzzz"}, "99999", "unknown commune code", nil},
	}
	r := territoryResolver()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(tt.items...)
			if err == nil {
				t.Fatalf("Resolve(%q) = %v, want an error", tt.items, got.Communes)
			}
			var re *ResolveError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a *ResolveError", err, err)
			}
			if re.Item != tt.item {
				t.Errorf("Item = %q, want %q", re.Item, tt.item)
			}
			if !strings.Contains(re.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", re.Reason, tt.reason)
			}
			// Closest names are announced only when there are some.
			if len(tt.candidates) == 0 && strings.Contains(re.Reason, "closest names") {
				t.Errorf("Reason = %q announces closest names, none given", re.Reason)
			}
			var cands []string
			for _, m := range re.Candidates {
				cands = append(cands, m.Item())
			}
			if !slices.Equal(cands, tt.candidates) {
				t.Errorf("Candidates = %q, want %q", cands, tt.candidates)
			}
		})
	}
}

func TestResolveJoinsErrors(t *testing.T) {
	_, err := territoryResolver().Resolve("99999", "Nemours", "Saint-Denis")
	msg := err.Error()
	for _, want := range []string{`territory "99999": unknown commune code`, `territory "Saint-Denis": 3 communes`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
}

func TestResolveErrorMessage(t *testing.T) {
	_, err := territoryResolver().Resolve("Saint-Denis")
	want := `territory "Saint-Denis": 3 communes have this name; give the INSEE code or the département, e.g. "Saint-Denis (974)":
  97411  Saint-Denis (974 La Réunion)
  93066  Saint-Denis (93 Seine-Saint-Denis)
  11339  Saint-Denis (11 Aude)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want\n%s", err, want)
	}
	e := &ResolveError{Reason: "no territory given"}
	if e.Error() != "no territory given" {
		t.Errorf("error without item = %q", e.Error())
	}
	e = &ResolveError{Item: "x", Reason: "many"}
	for i := range maxListed + 3 {
		e.Candidates = append(e.Candidates, Match{Kind: "dep", Code: fmt.Sprint(i), Name: "D"})
	}
	lines := strings.Split(e.Error(), "\n")
	if len(lines) != 1+maxListed+1 || lines[maxListed] != "  dep:19  D" || lines[maxListed+1] != "  … and 3 more" {
		t.Errorf("long candidate list = %q", lines)
	}
}

func TestMatchString(t *testing.T) {
	tests := []struct {
		m    Match
		want string
	}{
		{Match{Kind: "commune", Code: "77333", Name: "Nemours", Dep: "77", DepName: "Seine-et-Marne"}, "77333  Nemours (77 Seine-et-Marne)"},
		{Match{Kind: "epci", Code: "200023240", Name: "CC Pays de Nemours", Dep: "77", DepName: "Seine-et-Marne"}, "epci:200023240  CC Pays de Nemours (77 Seine-et-Marne)"},
		{Match{Kind: "cpts", Name: "CPTS Aix Sainte Victoire", Dep: "13", DepName: "Bouches-du-Rhône"}, `cpts:"CPTS Aix Sainte Victoire" (13 Bouches-du-Rhône)`},
		{Match{Kind: "epci", Code: "200099998", Name: "Sans membre"}, "epci:200099998  Sans membre"},
		{Match{Kind: "dep", Code: "48", Name: "Lozère"}, "dep:48  Lozère"},
		{Match{Kind: "reg", Code: "76", Name: "Occitanie"}, "reg:76  Occitanie"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	tests := []struct {
		text  string
		limit int
		want  []string // Item() of each match
	}{
		// Exact names first, most populous first.
		{"saint denis", 0, []string{"97411", "93066", "11339"}},
		{"St-Denis", 2, []string{"97411", "93066"}},
		// The prefix match comes before the two containing ones, which tie
		// on population and are ordered commune, EPCI, CPTS.
		{"nem", 0, []string{"77333", "epci:200023240", "cpts:CPTS du Pays de Nemours"}},
		// Words in any order, accents ignored.
		{"marseille metropole", 0, []string{"epci:200054807"}},
		{"Mende", 0, []string{"48095", "epci:200099999"}},
		{"loing bagneaux", 0, []string{"77016"}},
		{"", 5, nil},
		{" - ", 5, nil},
		{"zzzz", 5, nil},
	}
	r := territoryResolver()
	for _, tt := range tests {
		var got []string
		for _, m := range r.Search(tt.text, tt.limit) {
			got = append(got, m.Item())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
		}
	}
}

func TestSearchMatchFields(t *testing.T) {
	r := territoryResolver()
	ms := r.Search("aix sainte victoire", 1)
	want := Match{Kind: "cpts", Name: "CPTS Aix Sainte Victoire", Dep: "13", DepName: "Bouches-du-Rhône", Population: 145000 + 600 + 870000}
	if len(ms) != 1 || ms[0] != want {
		t.Errorf("Search = %+v, want %+v", ms, want)
	}
	ms = r.Search("grand paris", 1)
	// An EPCI's population is its communes' (2,100,000 + 113,000), not the
	// EPCI table's own total (7,000,000 here), as territory show counts it.
	want = Match{Kind: "epci", Code: "200054781", Name: "Métropole du Grand Paris", Dep: "75", DepName: "Paris", Population: 2100000 + 113000}
	if len(ms) != 1 || ms[0] != want {
		t.Errorf("Search = %+v, want %+v", ms, want)
	}
}

// FuzzResolve checks that no input makes the resolver panic and that every
// answer keeps its promises: sorted, unique, current codes, or a
// *ResolveError. Lines of the input are separate items.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"Nemours", "dep:77\nNemours", "Saint-Denis (93)", "epci:pays", "cpts:\"aix\"", "1001", "75108", "(", "st (2a)"} {
		f.Add(s)
	}
	r := territoryResolver()
	f.Fuzz(func(t *testing.T, s string) {
		items := strings.Split(s, "\n")
		got, err := r.Resolve(items...)
		if err != nil {
			var re *ResolveError
			if !errors.As(err, &re) {
				t.Fatalf("Resolve(%q): error %v is not a *ResolveError", items, err)
			}
			if err.Error() == "" {
				t.Fatalf("Resolve(%q): empty error message", items)
			}
		} else {
			if len(got.Communes) == 0 || got.Label == "" {
				t.Fatalf("Resolve(%q) = %+v: empty territory without error", items, got)
			}
			for i, c := range got.Communes {
				_, isCommune := r.communeAt(c)
				if _, isArr := r.arrondissement[c]; !isCommune && !isArr {
					t.Fatalf("Resolve(%q): %s is not a current commune nor an arrondissement", items, c)
				}
				if i > 0 && got.Communes[i-1] >= c {
					t.Fatalf("Resolve(%q): communes not sorted and unique: %q", items, got.Communes)
				}
			}
		}
		if ms := r.Search(s, 3); len(ms) > 3 {
			t.Fatalf("Search(%q, 3) returned %d matches", s, len(ms))
		}
	})
}

// embeddedResolver indexes the national snapshot once for all the tests
// that need real data.
var embeddedResolver = sync.OnceValues(func() (*Resolver, error) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return NewResolver(s), nil
})

func realResolver(t testing.TB) *Resolver {
	t.Helper()
	r, err := embeddedResolver()
	if err != nil {
		t.Fatalf("loading the embedded snapshot: %v", err)
	}
	return r
}

func TestResolveEmbedded(t *testing.T) {
	r := realResolver(t)
	tests := []struct {
		name     string
		items    []string
		count    int      // number of communes
		contains []string // some of them
		label    string
		warning  string // substring of the only warning, "" for none
	}{
		{"Nemours", []string{"Nemours"}, 1, []string{"77333"}, "Nemours", ""},
		{"Lyon", []string{"Lyon"}, 1, []string{"69123"}, "Lyon", ""},
		{"Saint-Denis in 93", []string{"Saint-Denis (93)"}, 1, []string{"93066"}, "Saint-Denis", ""},
		{"Saint-Denis in Réunion", []string{"st denis (974)"}, 1, []string{"97411"}, "Saint-Denis", ""},
		{"Saint-Étienne abbreviated", []string{"ST ETIENNE"}, 1, []string{"42218"}, "Saint-Étienne", ""},
		{"Ain padded code", []string{"1001"}, 1, []string{"01001"}, "L'Abergement-Clémenciat", ""},
		{"Paris arrondissement", []string{"75108"}, 1, []string{"75108"}, "Paris 8e Arrondissement", ""},
		{"Lyon arrondissement", []string{"69381"}, 1, []string{"69381"}, "Lyon 1er Arrondissement", ""},
		{"Marseille 16e", []string{"13216"}, 1, []string{"13216"}, "Marseille 16e Arrondissement", ""},
		{"Marseille whole", []string{"13216", "13055"}, 1, []string{"13055"}, "Marseille 16e Arrondissement + Marseille", ""},
		{"old code of a commune déléguée", []string{"01039"}, 1, []string{"01138"}, "Culoz-Béon",
			"old code 01039 (Béon, commune déléguée) is now part of Culoz-Béon (01138); 01138 is used"},
		{"Lozère", []string{"dep:48"}, 152, []string{"48095"}, "Lozère", ""},
		{"Lozère by name", []string{"dep:Lozère"}, 152, []string{"48095"}, "Lozère", ""},
		{"Corse-du-Sud", []string{"dep:2A"}, 124, []string{"2A004"}, "Corse-du-Sud", ""},
		{"La Réunion", []string{"dep:974"}, 24, []string{"97411"}, "La Réunion", ""},
		{"EPCI by SIREN", []string{"epci:200023240"}, 21, []string{"77333", "77016"}, "CC Pays de Nemours", ""},
		{"EPCI by name", []string{"CC Pays de Nemours"}, 21, []string{"77333"}, "CC Pays de Nemours", ""},
		{"EPCI by words", []string{"epci:pays de nemours"}, 21, []string{"77333"}, "CC Pays de Nemours", ""},
		{"CPTS", []string{"cpts:CPTS Aix Sainte Victoire"}, 6, []string{"13001", "13012", "13090"}, "CPTS Aix Sainte Victoire", ""},
		{"CPTS of one arrondissement", []string{"cpts:CPTS Marseille-7"}, 1, []string{"13207"}, "CPTS Marseille-7", ""},
		{"CPTS of three arrondissements", []string{`cpts:"CPTS Actes Santé"`}, 3, []string{"13214", "13215", "13216"}, "CPTS Actes Santé", ""},
		{"union", []string{"Nemours", "Bagneaux-sur-Loing"}, 2, []string{"77016", "77333"}, "Nemours + Bagneaux-sur-Loing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(tt.items...)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.items, err)
			}
			if len(got.Communes) != tt.count {
				t.Errorf("%d communes, want %d", len(got.Communes), tt.count)
			}
			for _, c := range tt.contains {
				if !slices.Contains(got.Communes, c) {
					t.Errorf("communes %q do not contain %s", got.Communes, c)
				}
			}
			if got.Label != tt.label {
				t.Errorf("Label = %q, want %q", got.Label, tt.label)
			}
			switch {
			case tt.warning == "" && len(got.Warnings) > 0:
				t.Errorf("Warnings = %q, want none", got.Warnings)
			case tt.warning != "" && (len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], tt.warning)):
				t.Errorf("Warnings = %q, want one containing %q", got.Warnings, tt.warning)
			}
		})
	}
}

func TestResolveEmbeddedLozerePopulation(t *testing.T) {
	r := realResolver(t)
	got, err := r.Resolve("dep:48")
	if err != nil {
		t.Fatal(err)
	}
	pop := 0
	for _, code := range got.Communes {
		i, _ := r.communeAt(code)
		pop += r.s.Communes[i].Population
	}
	if pop != 76486 {
		t.Errorf("population of Lozère = %d, want 76486", pop)
	}
}

func TestResolveEmbeddedEPCIMembers(t *testing.T) {
	r := realResolver(t)
	e := r.s.EPCI("200023240")
	if e == nil {
		t.Fatal("EPCI 200023240 missing from the snapshot")
	}
	got, err := r.Resolve("epci:200023240")
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(e.Members))
	if !slices.Equal(got.Communes, want) {
		t.Errorf("communes = %q, want the EPCI members %q", got.Communes, want)
	}
}

func TestResolveEmbeddedErrors(t *testing.T) {
	r := realResolver(t)
	tests := []struct {
		item       string
		reason     string
		candidates []string // sorted Item() of the candidates, nil to skip
	}{
		{"99999", "unknown commune code", nil},
		{"Saint-Denis", "4 communes have this name", []string{"11339", "30247", "93066", "97411"}},
		{"Saint-Denis (13)", "no commune of this name in département 13", []string{"11339", "30247", "93066", "97411"}},
		{"Nemour", "closest names", nil},
		{"dep:Seine", "départements match", []string{"dep:76", "dep:77", "dep:92", "dep:93"}},
	}
	for _, tt := range tests {
		_, err := r.Resolve(tt.item)
		var re *ResolveError
		if !errors.As(err, &re) {
			t.Errorf("Resolve(%q) error = %v, want a *ResolveError", tt.item, err)
			continue
		}
		if !strings.Contains(re.Reason, tt.reason) {
			t.Errorf("Resolve(%q) reason = %q, want it to contain %q", tt.item, re.Reason, tt.reason)
		}
		if tt.candidates != nil {
			var got []string
			for _, m := range re.Candidates {
				got = append(got, m.Item())
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.candidates) {
				t.Errorf("Resolve(%q) candidates = %q, want %q", tt.item, got, tt.candidates)
			}
		}
	}
	_, err := r.Resolve("Nemour")
	if want := "\n  77333  Nemours (77 Seine-et-Marne)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Resolve(Nemour) error = %v, want it to list %q", err, want)
	}
}

// TestResolveEmbeddedEveryCommune checks that every current commune can be
// named by its code, and by its name, alone or with its département: the
// folding must not make any name unreachable or read as another syntax.
func TestResolveEmbeddedEveryCommune(t *testing.T) {
	r := realResolver(t)
	for i := range r.s.Communes {
		c := &r.s.Communes[i]
		if got, err := r.Resolve(c.Code); err != nil || !slices.Equal(got.Communes, []string{c.Code}) {
			t.Errorf("Resolve(%q) = %v, %v", c.Code, got, err)
		}
		for _, item := range []string{c.Name, c.Name + " (" + c.Dep + ")"} {
			got, err := r.Resolve(item)
			if err == nil {
				if !slices.Equal(got.Communes, []string{c.Code}) {
					t.Errorf("Resolve(%q) = %q, want [%s]", item, got.Communes, c.Code)
				}
				continue
			}
			var re *ResolveError
			if !errors.As(err, &re) || !slices.ContainsFunc(re.Candidates, func(m Match) bool { return m.Code == c.Code }) {
				t.Errorf("Resolve(%q): %v, want %s among the candidates", item, err, c.Code)
			}
		}
	}
}

func TestSearchEmbedded(t *testing.T) {
	r := realResolver(t)
	ms := r.Search("nemours", 3)
	if len(ms) != 3 {
		t.Fatalf("Search(nemours, 3) = %v, want 3 matches", ms)
	}
	want := Match{Kind: "commune", Code: "77333", Name: "Nemours", Dep: "77", DepName: "Seine-et-Marne", Population: 12889}
	if ms[0] != want {
		t.Errorf("first match = %+v, want %+v", ms[0], want)
	}
	if ms[1].Kind != "epci" || ms[1].Code != "200023240" {
		t.Errorf("second match = %+v, want the CC Pays de Nemours", ms[1])
	}
	// "saint denis" exact names come before Saint-Denis-de-l'Hôtel and the like.
	ms = r.Search("st denis", 4)
	var codes []string
	for _, m := range ms {
		codes = append(codes, m.Code)
	}
	if want := []string{"97411", "93066", "11339", "30247"}; !slices.Equal(codes, want) {
		t.Errorf("Search(st denis, 4) = %q, want %q", codes, want)
	}
}

func BenchmarkNewResolver(b *testing.B) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		NewResolver(s)
	}
}

func BenchmarkSearch(b *testing.B) {
	r := realResolver(b)
	for b.Loop() {
		r.Search("saint", 10)
	}
}

// TestResolveRemarks: each warning of the resolver has its French remark,
// the one the report shows, in the same order.
func TestResolveRemarks(t *testing.T) {
	r := territoryResolver()
	for _, tt := range []struct {
		items   []string
		remarks []string
	}{
		{[]string{"48099"}, []string{"L'ancien code 48099 (Badaroux-Vieux, commune déléguée) fait aujourd'hui partie de Mende (48095), qui est retenue."}},
		{[]string{"77999"}, []string{"L'ancien code 77999 fait aujourd'hui partie de Nemours (77333), qui est retenue."}},
		{[]string{"13999"}, []string{"L'ancien code 13999 (Vieux-Bourg, commune associée) fait aujourd'hui partie d'Aix-en-Provence (13001), qui est retenue."}},
		{[]string{"epci:fontainebleau"}, []string{
			"CA du Pays de Fontainebleau : l'ancien code 77999 de sa liste fait aujourd'hui partie de Nemours (77333), qui est retenue.",
			"CA du Pays de Fontainebleau : le code 77997 de sa liste n'est pas une commune actuelle ; il est écarté."}},
		{[]string{"Mende"}, []string{"« Mende » est aussi le nom d'un EPCI : la commune est retenue (l'EPCI s'écrit « epci:200099999 »)."}},
		{[]string{"cpts:La Seyne Toulon"}, []string{"CPTS La Seyne Toulon ouest ne couvre qu'une partie de Toulon (83137), partagée avec d'autres CPTS : toute la commune est comptée."}},
		{[]string{"cpts:nemours"}, []string{
			"CPTS du Pays de Nemours : l'ancien code 77999 de son périmètre fait aujourd'hui partie de Nemours (77333), qui est retenue.",
			"CPTS du Pays de Nemours : le code 77997 de son périmètre n'est pas une commune actuelle ; il est écarté."}},
		{[]string{"cpts:nice"}, []string{"CPTS Nice Est partage une partie de Nice avec d'autres CPTS."}},
		{[]string{"77999", "Mende", "77999"}, []string{"L'ancien code 77999 fait aujourd'hui partie de Nemours (77333), qui est retenue.",
			"« Mende » est aussi le nom d'un EPCI : la commune est retenue (l'EPCI s'écrit « epci:200099999 »)."}},
		{[]string{"Nemours"}, nil},
	} {
		got, err := r.Resolve(tt.items...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Remarks, tt.remarks) || len(got.Remarks) != len(got.Warnings) {
			t.Errorf("Resolve(%q): remarks %q, want %q (warnings %q)", tt.items, got.Remarks, tt.remarks, got.Warnings)
		}
	}
	for name, want := range map[string]string{"Toulon": "de Toulon", "Aix-en-Provence": "d'Aix-en-Provence",
		"Évry-Courcouronnes": "d'Évry-Courcouronnes", "Yerres": "d'Yerres", "Le Havre": "du Havre", "Les Mureaux": "des Mureaux", "La Rochelle": "de La Rochelle",
		"Lens": "de Lens", "": "de "} {
		if got := deName(name); got != want {
			t.Errorf("deName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCommunesNamedScan: looking a name up by scanning the communes whose
// name can fold to its first letter finds what the full index of folded
// names finds, for a sample of France's names and for names that start
// with an accent, a digit-free abbreviation or a ligature; the index is
// built after namedScans look-ups, and the same look-ups then go through
// it.
func TestCommunesNamedScan(t *testing.T) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(s)
	var names []string
	for i := 0; i < len(s.Communes); i += 197 {
		names = append(names, textnorm.FoldPlace(s.Communes[i].Name))
	}
	names = append(names, "etampes", "ile aux moines", "oeuf en ternois", "saint denis", "sainte marie", "les abymes", "y")
	found := 0
	full := NewResolver(s)
	full.communeNames()
	for _, f := range names {
		if got, want := r.scanNamed(f), full.communeByName[f]; !slices.Equal(got, want) {
			t.Errorf("%q: scan finds %v, the index %v", f, got, want)
		}
		found += len(r.scanNamed(f))
	}
	if found < len(names) {
		t.Errorf("%d communes found for %d names", found, len(names))
	}
	// Saint-Denis: La Réunion's and Seine-Saint-Denis's (and others) by code.
	if got := r.scanNamed("saint denis"); len(got) < 2 || s.Communes[got[0]].Code > s.Communes[got[1]].Code {
		t.Errorf("saint denis: %v", got)
	}
	fresh := NewResolver(s)
	for range namedScans {
		fresh.communesNamed("etampes")
	}
	if fresh.communeByName != nil {
		t.Errorf("names indexed after %d look-ups", namedScans)
	}
	if got := fresh.communesNamed("etampes"); fresh.communeByName == nil || len(got) != 1 || s.Communes[got[0]].Code != "91223" {
		t.Errorf("look-up %d: %v, index built: %v", namedScans+1, got, fresh.communeByName != nil)
	}
}
