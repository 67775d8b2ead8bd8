// Package snapshot holds the national reference data diagsante computes
// from: communes, EPCI, official APL, health professionals, establishments,
// CPTS perimeters and commune contours. The default snapshot is built from
// public open data by the generator in datasets/internal/generate and embedded
// in the binary; a local snapshot written by `diagsante datasets import` can
// replace it table by table.
package snapshot

// A Commune is a current commune of the Code officiel géographique.
type Commune struct {
	Code       string // INSEE code, always 5 characters ("01001", "2A004")
	Name       string
	Dep        string // département code
	Reg        string // région code
	EPCI       string // SIREN of its EPCI à fiscalité propre, "" for the few outside any
	Population int    // population municipale (populations de référence in force)
	HasPop     bool   // false for the handful of communes the source gives no population
	Lat, Lon   float64
	// PointSource says where Lat/Lon come from: "laposte" (La Poste hexasmal
	// centroid), "chef-lieu" (point of a delegated commune), "contour"
	// (centroid of the COG 2018 contours) or "" when the commune has no point.
	PointSource string
}

// HasPoint reports whether the commune has coordinates.
func (c *Commune) HasPoint() bool { return c.PointSource != "" }

// An Arrondissement is an arrondissement municipal of Paris, Lyon or Marseille.
type Arrondissement struct {
	Code       string
	Name       string
	Commune    string // 75056, 69123 or 13055
	Population int
	Lat, Lon   float64
}

// An OldCode is a commune code that is no longer current (a commune déléguée
// or associée of a commune nouvelle, or a commune absorbed without keeping
// delegated status) and the current commune it now belongs to.
type OldCode struct {
	Code    string
	Name    string
	Current string
	Kind    string // commune-deleguee, commune-associee, or ancien-code (absorbed without delegated status; no name)
}

// An EPCI is an établissement public de coopération intercommunale à
// fiscalité propre (CC, CA, CU, métropole).
type EPCI struct {
	Siren      string
	Name       string
	Type       string // CC, CA, CU, METRO, MET69
	Population int    // population municipale
	Members    []string
}

// A Departement is a French département (or collectivité with a département code).
type Departement struct {
	Code, Name, Region string
	// TypeLiaison is the COG type de nom en clair (TNCC, typeLiaison of the
	// etalab files): which article and preposition the name takes, e.g. 2
	// "le Var, du Var", 3 "la Lozère, de la Lozère", 4 "les
	// Bouches-du-Rhône, des Bouches-du-Rhône", 5 "l'Ain, de l'Ain", 1
	// "d'Eure-et-Loir", 0 "de Paris". -1 when unknown (a table written
	// before the column existed); diagnostic.NameOf then elides by the
	// first letter.
	TypeLiaison int
}

// A Region is a French région.
type Region struct {
	Code, Name string
	// TypeLiaison is the COG TNCC of the name, as for a Departement (e.g.
	// 4 "des Hauts-de-France", 1 "d'Occitanie", 0 "de Normandie").
	TypeLiaison int
}

// An APL is the official DREES accessibilité potentielle localisée to general
// practitioners of one commune (or arrondissement) for one vintage.
type APL struct {
	Code            string
	Vintage         int     // 2022, 2023
	PopYear         int     // vintage of the populations (2020 for APL 2022)
	Value           float64 // consultations per standardised inhabitant per year
	Under65         float64 // same, GPs under 65 only
	PopStandardised float64
	PopTotal        float64
}

// A GPCount is the number of GPs (médecins omnipraticiens, BPE equipment
// D201) in a current commune, summed over the old communes it absorbed.
type GPCount struct {
	Code    string
	Count   int
	Vintage int // 2017
}

// A LiberalCount is a number of libéral health professionals of one
// category in one département (Assurance Maladie, 31 December).
type LiberalCount struct {
	Dep      string // "" for the national and overseas totals
	Sheet    string // source sheet, e.g. "Auxiliaires médicaux"
	Category string // e.g. "24- Infirmiers"
	Total    int
	Vintage  int
}

// An Establishment is a FINESS établissement useful to describe access to care.
type Establishment struct {
	Finess        string // nofinesset (geographic)
	FinessEJ      string // nofinessej (legal entity)
	Category      string // categetab code, e.g. "603"
	CategoryLabel string
	Name          string // raison sociale
	LongName      string
	Address       string
	Postcode      string
	City          string
	Commune       string // current INSEE code of the commune it stands in ("" when it could not be placed)
	Lat, Lon      float64
	HasPoint      bool
	// Placement says how Commune was found: "insee" (given by the source),
	// "polygon" (point in commune contour), "postcode" (postcode + city
	// name), "postcode-unique" (the only commune of the postcode) or "".
	Placement string
	Source    string // "finess-2021" or "finess-occitanie-2026"
	Opened    string // date d'ouverture, YYYY-MM-DD
	// ProximityHospital is true when the establishment is a labelled
	// hôpital de proximité: the long name carries the marker (recent FINESS
	// extractions), or an ARS list names it. The 2021 extraction predates
	// the label.
	ProximityHospital bool
	// ProximitySource says where ProximityHospital comes from, for labels:
	// e.g. "FINESS 2026 (libellé)" or "ARS Île-de-France, label au 1er janvier 2022".
	ProximitySource string
	// Arrondissement is the arrondissement municipal (751xx, 6938x, 132xx)
	// the establishment stands in, for Paris, Lyon and Marseille; "" elsewhere
	// or when it could not be told.
	Arrondissement string
}

// An EmergencyDept is an emergency department (structure des urgences)
// reported in the SAE for one year, joined to FINESS by its geographic number.
type EmergencyDept struct {
	Finess    string
	Year      int
	General   bool // general emergency authorisation
	Pediatric bool
	Passages  *int // yearly visits (passages aux urgences); nil when the SAE reports none (unknown, not 0)
}

// A Maternity is a maternity unit reported in the SAE for one year.
type Maternity struct {
	Finess string
	Year   int
	Type   string // TYPE1, TYPE2, TYPE3
	Births int    // accouchements
}

// A CPTSMember is one commune of a CPTS perimeter.
type CPTSMember struct {
	CPTS            string
	Status          string
	Commune         string   // current INSEE code
	Arrondissements []string // for a CPTS covering only some arrondissements of Paris, Lyon, Marseille
	InfraCommunal   string   // non-empty when the commune is shared between several CPTS
	SourceCode      string   // code as given by the source (may be an old code)
}

// A PopAge is the population of a département by age band (INSEE estimates,
// 1 January).
type PopAge struct {
	Dep                                                         string
	Year                                                        int
	Age0to19, Age20to39, Age40to59, Age60to74, Age75Plus, Total int
}

// A Coverage says which source and vintage a table holds for one
// département. Outside the départements a table covers, its figures are
// unknown, never zero.
type Coverage struct {
	Dep     string `json:"dep"`
	Source  string `json:"source"`  // short French label, e.g. "FINESS 2021-01-08", "FINESS Occitanie 2026"
	Vintage string `json:"vintage"` // YYYY, YYYY-MM or YYYY-MM-DD
}

// A TableInfo describes where a snapshot table comes from.
type TableInfo struct {
	Name      string   `json:"name"`
	Title     string   `json:"title"`
	Publisher string   `json:"publisher"`
	Source    string   `json:"source"`
	Vintage   string   `json:"vintage"`
	Licence   string   `json:"licence"`
	Files     []string `json:"files"`
	Rows      int      `json:"rows"`
	Notes     []string `json:"notes,omitempty"`
	// Origin is "embedded" for the default snapshot, or the path of the
	// imported file for a local snapshot.
	Origin string `json:"origin,omitempty"`
	// Imported is the time of import for a local table (RFC 3339).
	Imported string `json:"imported,omitempty"`
	// Coverage lists, by département code, the source and vintage the
	// table holds there. Nil means a national reference table that covers
	// every département of the snapshot (COG tables, contours); a data table
	// lists the départements it describes, so that a figure elsewhere is
	// unknown rather than zero. Some entries describe a figure rather than a
	// file (e.g. "hopitaux_proximite": which départements' hôpitaux de
	// proximité are known).
	Coverage []Coverage `json:"coverage,omitempty"`
}

// Covers returns the source and vintage the table holds for a département;
// ok is false when the table does not describe it. A table without a
// coverage list covers every département.
func (t *TableInfo) Covers(dep string) (c Coverage, ok bool) {
	if t == nil {
		return Coverage{}, false
	}
	if t.Coverage == nil {
		return Coverage{Dep: dep, Source: t.Source, Vintage: t.Vintage}, true
	}
	for _, c := range t.Coverage {
		if c.Dep == dep {
			return c, true
		}
	}
	return Coverage{}, false
}

// A Manifest lists the tables of a snapshot and the generator's report.
type Manifest struct {
	Generated string      `json:"generated"`
	Tables    []TableInfo `json:"tables"`
	// Unmatched counts what the generator could not join, by kind.
	Unmatched map[string]int `json:"unmatched"`
	// Inputs gives the sha256 of each raw input file.
	Inputs map[string]string `json:"inputs"`
}

// Table returns the description of a table, or nil.
func (m *Manifest) Table(name string) *TableInfo {
	for i := range m.Tables {
		if m.Tables[i].Name == name {
			return &m.Tables[i]
		}
	}
	return nil
}

// A ProfessionalCount is the number of distinct health professionals of one
// profession practising in a commune (Annuaire Santé RPPS extraction): a
// person practising in two communes counts once in each.
type ProfessionalCount struct {
	Code       string // current INSEE code
	Profession string // RPPS code profession ("10" médecin…) or "GP" for general practitioners
	Count      int
	Liberal    int    // of whom with a libéral activity
	Vintage    string // extraction date, YYYY-MM-DD
}

// A GPSite is one place where a general practitioner counted by the APL
// practises, from an imported RPPS extraction (table gp_rpps): one row per
// person and place, so that a GP practising at two sites of a territory is
// counted once at the territory level (distinct Person), while maps may
// count sites. The per-commune table gp_bpe counts, in each commune, the
// distinct persons with at least one such site there.
type GPSite struct {
	// Person is a stable key of the professional: the Identification
	// nationale PP of the extraction (type + identifier, public data), or
	// the Identifiant PP when the line has no national identifier.
	Person string
	// Code is the INSEE code of the place: today's commune (old codes of
	// merged communes are mapped), or the arrondissement municipal when the
	// extraction names one (751xx, 6938x, 132xx are kept, not folded into
	// Paris, Lyon or Marseille).
	Code string
	// Mode is "liberal" (a libéral activity at this place) or "cds"
	// (salaried in a centre de santé, secteur d'activité SA05) — the GPs the
	// DREES APL counts; a place with both is "liberal". Hospital-salaried
	// and other salaried activities give no row. Mode is "" only when the
	// extraction has no mode d'exercice column: every GP site is kept.
	Mode    string
	Vintage string // extraction date, YYYY-MM-DD
}

// GP site modes (GPSite.Mode).
const (
	GPModeLiberal = "liberal"
	GPModeCDS     = "cds"
)

// A SAS is the status of the service d'accès aux soins (SAS) of one
// département at a date, as an ARS stated it (Île-de-France, end of 2021).
type SAS struct {
	Dep        string
	Dispositif string // e.g. "SAS 78", "SAS Paris Petite Couronne"; "" when none
	Status     string // e.g. "pilote en fonctionnement", "aucun dispositif mentionné"
	Precision  string
	Date       string // YYYY-MM
}

// A Postcode is one commune a postcode serves, as La Poste lists it
// (hexasmal, with its localities) or as the COG gives it: the placement of
// establishments by postcode and city name (datasets/place) reads it, so
// that `datasets import` places them as the generator does.
type Postcode struct {
	Postcode string
	Code     string // INSEE code as the source gives it (may be old)
	Name     string // folded (textnorm.FoldPlace)
	Source   string // "laposte" or "cog"
}
