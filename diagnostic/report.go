package diagnostic

import "github.com/diagsante/diagsante/datasets/snapshot"

// A Report is everything a diagnostic says about a territory: the plain
// struct tree that the HTML, Excel, JSON, CSV and GeoJSON renderers read.
// Field names are the stable JSON output of `diagnose --format json` and
// `indicators --json`. Values that the data cannot give are nil pointers
// (JSON null), never zeros.
type Report struct {
	// Title is the territory's name in the report (--name, or the label).
	Title     string        `json:"title"`
	Territory TerritoryInfo `json:"territory"`
	// Levels are the territory then its comparison levels: the
	// département(s), the région(s) and France, each with the same figures.
	Levels []Level `json:"levels"`
	// Communes are the territory's communes, sorted by code.
	Communes []CommuneFigures `json:"communes"`
	// Neighbours are the communes around a one-commune territory, drawn
	// on its maps for context (Neighbours); nil for a larger territory.
	Neighbours []Neighbour `json:"neighbours,omitempty"`
	// Professions compares the densities of libéral professionals of the
	// territory's département(s) with the région(s) and France: the only
	// level the open data gives for professions other than GPs.
	Professions []ProfessionFigures `json:"professions"`
	// Structures lists the establishments of the territory, by kind then name.
	Structures []Structure `json:"structures"`
	// HADServing are the HAD establishments of the territory's
	// départements: HAD comes to the patient's home, so the report lists
	// the services that may serve the territory rather than a travel time.
	HADServing []Structure `json:"had_serving"`
	// HADKnown is false when the establishments table does not cover every
	// département of the territory: the list is then unknown, not empty.
	HADKnown bool `json:"had_known"`
	// CPTS lists the CPTS whose perimeter (or seat) touches the territory.
	CPTS []CPTSInfo `json:"cpts"`
	// Access gives, per kind of structure, the territory's travel-time
	// figures; filled when the accessibility engine ran.
	Access []AccessFigures `json:"access"`
	// Attention lists the points of attention found by the rules of findings.go.
	Attention []Finding `json:"attention"`
	// Levers lists the levers that fit the points of attention.
	Levers []Lever `json:"levers"`
	// Sources describes every table the figures come from.
	Sources []snapshot.TableInfo `json:"sources"`
	// Limits are the caveats a reader must know (vintages, missing data).
	Limits []string `json:"limits"`
	// Thresholds are the APL zonage thresholds used, with their legal text.
	Thresholds Thresholds `json:"thresholds"`
	// GPSource names where the territory's GP counts come from, for labels:
	// "BPE 2017" for the embedded data, "RPPS <date>" after an import.
	GPSource string `json:"gp_source"`
	// PopulationSource names the populations used (the communes table's
	// vintage), e.g. "populations de référence en vigueur en 2026", or the
	// vintage of an imported population file.
	PopulationSource string `json:"population_source"`
	// TravelTimes says where the travel times come from: the crow-fly
	// model, or a user matrix over it (--travel-times).
	TravelTimes string `json:"travel_times"`
	// TravelTimeError states the measured error of the travel-time model
	// next to the times it gives (access.MeasuredError).
	TravelTimeError string `json:"travel_time_error,omitempty"`
	// SAS gives the state of the service d'accès aux soins of the
	// territory's départements where a source states it.
	SAS []SASStatus `json:"sas"`
	// ReportDate is the day the report was made (YYYY-MM-DD); DataDates
	// give, for the territory's départements, the date of each source used
	// and whether it is more than two years older than ReportDate.
	ReportDate string       `json:"report_date"`
	DataDates  []SourceDate `json:"data_dates"`
	// GPFromRPPS is true when the GP counts come from an imported RPPS
	// extraction (libéral GPs, every commune) rather than the BPE 2017.
	GPFromRPPS bool `json:"gp_from_rpps"`
}

// TerritoryInfo describes the territory.
type TerritoryInfo struct {
	Label    string   `json:"label"`
	Items    []string `json:"items"`
	Warnings []string `json:"warnings"`
	// Remarks are the Warnings in French, as the report shows them.
	Remarks      []string `json:"remarks"`
	Communes     int      `json:"communes"`
	Population   int      `json:"population"`
	Departements []Named  `json:"departements"`
	Regions      []Named  `json:"regions"`
	EPCIs        []Named  `json:"epcis"`
}

// Named is a code and a name.
type Named struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Thresholds are the APL thresholds for GPs (consultations per standardised
// inhabitant per year) used to classify communes.
type Thresholds struct {
	Low    float64 `json:"low"`    // at or below: zone d'intervention prioritaire by national selection
	Middle float64 `json:"middle"` // (Low, Middle]: pool where the ARS chooses ZIP, ZAC or vigilance zones
	Text   string  `json:"text"`   // the legal text they come from
}

// DefaultThresholds are those of the arrêté of 13 November 2017.
var DefaultThresholds = Thresholds{Low: 2.5, Middle: 4, Text: "arrêté du 13 novembre 2017 (méthodologie de détermination des zones, art. L.1434-4 CSP)"}

// A Level is one column of the comparison: the territory, a département, a
// région or France.
type Level struct {
	Kind string `json:"kind"` // territory, departement, region, france
	Code string `json:"code"`
	Name string `json:"name"`
	// Of is the name joined to "de" with its article, from the COG
	// typeLiaison, for sentences: "du Var", "de l'Ain", "des
	// Hauts-de-France"; "" for the territory and France (see LevelOf).
	Of string `json:"-"`
	Figures
}

// LevelOf writes "de" + a level's name for a sentence: its Of, or the
// name elided by its first letter when the level has none.
func LevelOf(l Level) string {
	if l.Of != "" {
		return l.Of
	}
	if l.Kind == "france" {
		return "de la France"
	}
	return Elide("de", l.Name)
}

// Figures are the indicators computed the same way for every level.
type Figures struct {
	Communes   int `json:"communes"`
	Population int `json:"population"` // population municipale (populations de référence 2026)
	// NeedIndex is standardised / total population of the APL 2023 file: above 1, the
	// population consumes more GP care than the national average (older).
	NeedIndex *float64 `json:"need_index"`
	// GPs is the number of GPs and GPDensity per 10,000 inhabitants of the
	// places the source covers; GPSource names the source(s) used
	// ("BPE 2017", "RPPS 2026-11-20", or both joined by " + ").
	GPs       *int     `json:"gps"`
	GPDensity *float64 `json:"gp_density_per_10000"`
	GPSource  string   `json:"gp_source"`
	// APL2023 and APL2022 are official APL means weighted by the
	// standardised population of the published rows (the DREES
	// prescription); APLUnder65 the same for GPs under 65.
	APL2023         *float64 `json:"apl_2023"`
	APL2022         *float64 `json:"apl_2022"`
	APLUnder65_2023 *float64 `json:"apl_under65_2023"`
	APLUnder65_2022 *float64 `json:"apl_under65_2022"`
	// ShareFrom65Plus is the part of the accessible GP supply provided by
	// GPs aged 65 and over: 1 − APL under 65 / APL.
	ShareFrom65Plus     *float64 `json:"share_from_65_plus"`
	ShareFrom65Plus2022 *float64 `json:"share_from_65_plus_2022"`
	// Shares of the population by APL 2023 class (0–1): each published row
	// classified with its own value, weighted by its total population.
	ShareLow    *float64 `json:"share_apl_low"`    // APL ≤ Low
	ShareMiddle *float64 `json:"share_apl_middle"` // Low < APL ≤ Middle
	ShareHigh   *float64 `json:"share_apl_high"`   // APL > Middle
	// The same shares without the GPs aged 65 and over (APL under 65), and
	// for 2022.
	ShareLowUnder65      *float64 `json:"share_apl_low_under65"`
	ShareMiddleUnder65   *float64 `json:"share_apl_middle_under65"`
	ShareHighUnder65     *float64 `json:"share_apl_high_under65"`
	ShareLow2022         *float64 `json:"share_apl_low_2022"`
	ShareLowUnder65_2022 *float64 `json:"share_apl_low_under65_2022"`
	// Counts of establishments standing in the level, by kind (see Kinds);
	// null where the source does not cover the level.
	Structures map[string]*int `json:"structures"`
	// CPTS coverage by known perimeters (PACA only in the embedded data).
	CPTSCommuneShare    *float64 `json:"cpts_commune_share"`
	CPTSPopulationShare *float64 `json:"cpts_population_share"`
	// Share of the population aged 75 and over, from INSEE's estimates by
	// département: known for a set of whole départements (a territory
	// equal to a département has the département's), else nil with a Gap.
	Share75Plus *float64 `json:"share_75_plus"`
	// Gaps say which figures are unknown, or computed over part of the
	// level only, and why.
	Gaps []Gap `json:"gaps"`
	// Sources gives, per snapshot table, the sources and vintages the level
	// uses; more than one means the level mixes vintages.
	Sources map[string][]string `json:"sources"`
}

// Count returns the count of a kind of structure, or nil when unknown.
func (f *Figures) Count(kind string) *int { return f.Structures[kind] }

// CommuneFigures are the figures of one commune.
type CommuneFigures struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Dep        string   `json:"departement"`
	EPCI       string   `json:"epci"`
	EPCIName   string   `json:"epci_name"`
	Population int      `json:"population"`
	Lat        *float64 `json:"lat"`
	Lon        *float64 `json:"lon"`
	APL2023    *float64 `json:"apl_2023"`
	APL2022    *float64 `json:"apl_2022"`
	// APLClass is "low", "middle" or "high" against the thresholds, "" without APL.
	APLClass        string   `json:"apl_class"`
	NeedIndex       *float64 `json:"need_index"`
	APLUnder65_2023 *float64 `json:"apl_under65_2023"`
	APLUnder65_2022 *float64 `json:"apl_under65_2022"`
	// ShareFrom65Plus is 1 − APL under 65 / APL (2023).
	ShareFrom65Plus *float64 `json:"share_from_65_plus"`
	GPs             *int     `json:"gps"`
	GPDensity       *float64 `json:"gp_density_per_10000"`
	GPSource        string   `json:"gp_source"`
	// APLRows is the number of published APL 2023 rows the commune's value
	// rolls up (arrondissements, former communes); 1 for most.
	APLRows int `json:"apl_rows"`
	// Gaps say which of the commune's figures are unknown, and why.
	Gaps []Gap `json:"gaps"`
	// Structures counts the establishments standing in the commune, by
	// kind; null where the source does not cover it.
	Structures map[string]*int `json:"structures"`
	// CPTS names the CPTS whose known perimeter includes the commune.
	CPTS []string `json:"cpts"`
	// Nearest gives, per kind, the nearest structure (filled by the accessibility engine).
	Nearest map[string]NearestFacility `json:"nearest,omitempty"`
	// APLRecomputed and APLScenario are set by `simulate`.
	APLRecomputed *float64 `json:"apl_recomputed,omitempty"`
}

// NearestFacility is the nearest structure of a kind from a commune.
type NearestFacility struct {
	Finess  string  `json:"finess"`
	Name    string  `json:"name"`
	Commune string  `json:"commune"`
	Km      float64 `json:"km"`
	Minutes float64 `json:"minutes"`
}

// AccessFigures are the territory's travel-time figures for one kind.
type AccessFigures struct {
	Kind        string  `json:"kind"`
	Label       string  `json:"label"`
	MeanMinutes float64 `json:"mean_minutes"` // population-weighted
	Beyond15    float64 `json:"share_beyond_15"`
	Beyond20    float64 `json:"share_beyond_20"`
	Beyond30    float64 `json:"share_beyond_30"`
}

// ProfessionFigures compares one profession across levels.
type ProfessionFigures struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Levels hold the count and density per 10,000 of each comparison level,
	// in the order of Report.Levels without the territory — preceded by the
	// territory itself when an RPPS extraction was imported (libéral
	// practitioners counted per commune).
	Levels []ProfessionLevel `json:"levels"`
}

// ProfessionLevel is the count and density of a profession at one level.
type ProfessionLevel struct {
	Kind    string   `json:"kind"`
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Count   *int     `json:"count"`
	Density *float64 `json:"density_per_10000"`
}

// A Structure is an establishment of the territory.
type Structure struct {
	Kind        string   `json:"kind"`
	KindLabel   string   `json:"kind_label"`
	Finess      string   `json:"finess"`
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	CategoryLbl string   `json:"category_label"`
	Commune     string   `json:"commune"`
	CommuneName string   `json:"commune_name"`
	Address     string   `json:"address"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Source      string   `json:"source"`
	// Detail adds what the SAE says (passages, maternity type, births).
	Detail string `json:"detail"`
}

// CPTSInfo is a CPTS touching the territory.
type CPTSInfo struct {
	Name string `json:"name"`
	// Communes of its perimeter inside the territory, and in all.
	InTerritory int `json:"communes_in_territory"`
	Total       int `json:"communes_total"`
	// Seat is true when known only from a FINESS 604 seat in the territory.
	SeatOnly bool `json:"seat_only"`
}

// SASStatus is the state of the service d'accès aux soins of a département
// as a source states it.
type SASStatus struct {
	Dep        string `json:"departement"`
	Dispositif string `json:"dispositif"`
	Status     string `json:"status"`
	Detail     string `json:"detail"`
	Date       string `json:"date"`
}

// A Finding is a point of attention derived from the indicators.
type Finding struct {
	Key      string `json:"key"`
	Severity string `json:"severity"` // alerte, vigilance, information
	Title    string `json:"title"`
	Detail   string `json:"detail"`
}

// A Lever is a policy lever suggested by findings.
type Lever struct {
	Key   string   `json:"key"`
	Title string   `json:"title"`
	What  string   `json:"what"`
	Why   []string `json:"why"` // the findings that suggested it
	// Check is true for a lever that depends on a figure the data do not
	// give: it is phrased as a question to check with the ARS, not as a
	// conclusion.
	Check bool `json:"check"`
}
