package diagnostic

import (
	"slices"
	"sort"
	"sync"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// A Kind is a kind of structure of the offre de soins, as counted and mapped
// in the report.
type Kind struct {
	Key   string
	Label string // French, plural
	// Categories are the FINESS categories of the kind; empty for kinds
	// defined otherwise (SAE emergency departments and maternities,
	// hôpitaux de proximité).
	Categories []string
}

// Kinds are the kinds of structures of the report, in display order.
var Kinds = []Kind{
	{Key: "msp", Label: "Maisons de santé pluriprofessionnelles (MSP)", Categories: []string{"603"}},
	{Key: "cds", Label: "Centres de santé", Categories: []string{"124", "439"}},
	{Key: "cpts", Label: "CPTS (sièges FINESS)", Categories: []string{"604"}},
	{Key: "hospital", Label: "Hôpitaux (CHR, CH, ex-hôpitaux locaux)", Categories: []string{"101", "355", "106"}},
	{Key: "proximity", Label: "Hôpitaux de proximité (labellisés)"},
	{Key: "emergency", Label: "Services d'urgences (SAE 2020)"},
	{Key: "maternity", Label: "Maternités (SAE 2020)"},
	{Key: "had", Label: "Hospitalisation à domicile (HAD)", Categories: []string{"127"}},
	{Key: "snp", Label: "Soins non programmés et SAS", Categories: []string{"617", "618", "648"}},
	{Key: "pharmacy", Label: "Pharmacies d'officine", Categories: []string{"620"}},
	{Key: "lab", Label: "Laboratoires de biologie médicale", Categories: []string{"611"}},
	{Key: "ehpad", Label: "EHPAD", Categories: []string{"500"}},
}

// KindLabel returns the label of a kind key.
func KindLabel(key string) string {
	for _, k := range Kinds {
		if k.Key == key {
			return k.Label
		}
	}
	return key
}

// An Engine computes indicators from one snapshot. Build it once and reuse
// it: the comparison levels (départements, régions, France) are computed
// once and cached, which matters for batches.
type Engine struct {
	Snap       *snapshot.Snapshot
	APL        *APLIndex
	Thresholds Thresholds

	gps       map[string]int      // BPE 2017 GPs by current commune
	noGPData  map[string]bool     // communes absent from BPE by construction (Paris, overseas)
	kindsOf   map[string][]string // FINESS number -> kinds
	byCommune map[string][]int    // commune -> indexes into Snap.Establishments
	cptsOf    map[string][]string // commune -> CPTS names (known perimeters)
	cptsDeps  map[string]bool     // départements where CPTS perimeters are known
	emergency map[string]snapshot.EmergencyDept
	maternity map[string]snapshot.Maternity

	// Times estimates road minutes between communes and facilities: the
	// crow-fly model by default, a user matrix over it when given.
	Times access.Times

	mu    sync.Mutex
	cache map[string]Figures

	facOnce sync.Once
	fac     map[string]*access.FacilityIndex
}

// NewEngine indexes a snapshot for indicator computations.
func NewEngine(s *snapshot.Snapshot) *Engine {
	e := &Engine{Snap: s, APL: NewAPLIndex(s), Thresholds: DefaultThresholds,
		gps: map[string]int{}, noGPData: map[string]bool{"75056": true},
		kindsOf: map[string][]string{}, byCommune: map[string][]int{}, cptsOf: map[string][]string{},
		emergency: map[string]snapshot.EmergencyDept{}, maternity: map[string]snapshot.Maternity{},
		cache: map[string]Figures{}}
	for _, g := range s.GPs {
		e.gps[g.Code] += g.Count
	}
	// BPE 2017 as we hold it covers metropolitan France without Paris: an
	// absent commune there is a true zero, elsewhere it is missing data.
	// An imported RPPS extraction (datasets import --rpps) covers them all.
	if t := s.Manifest.Table("gp_bpe"); t == nil || t.Origin == "" || t.Origin == "embedded" {
		for _, c := range s.Communes {
			if len(c.Dep) == 3 {
				e.noGPData[c.Code] = true
			}
		}
	} else {
		e.noGPData = map[string]bool{}
	}
	for _, u := range s.Emergency {
		e.emergency[u.Finess] = u
	}
	for _, m := range s.Maternities {
		e.maternity[m.Finess] = m
	}
	cat := map[string][]string{}
	for _, k := range Kinds {
		for _, c := range k.Categories {
			cat[c] = append(cat[c], k.Key)
		}
	}
	for i, est := range s.Establishments {
		kinds := slices.Clone(cat[est.Category])
		if est.ProximityHospital {
			kinds = append(kinds, "proximity")
		}
		if _, ok := e.emergency[est.Finess]; ok {
			kinds = append(kinds, "emergency")
		}
		if _, ok := e.maternity[est.Finess]; ok {
			kinds = append(kinds, "maternity")
		}
		if len(kinds) == 0 {
			continue
		}
		e.kindsOf[est.Finess] = kinds
		if est.Commune != "" {
			e.byCommune[est.Commune] = append(e.byCommune[est.Commune], i)
		}
	}
	e.cptsDeps = map[string]bool{}
	for _, m := range s.CPTS {
		if !slices.Contains(e.cptsOf[m.Commune], m.CPTS) {
			e.cptsOf[m.Commune] = append(e.cptsOf[m.Commune], m.CPTS)
		}
		if c := s.Commune(m.Commune); c != nil {
			e.cptsDeps[c.Dep] = true
		}
	}
	return e
}

// KindsOf returns the kinds of an establishment (nil when it is not one the
// report counts).
func (e *Engine) KindsOf(finess string) []string { return e.kindsOf[finess] }

// Emergency returns the SAE record of an emergency department.
func (e *Engine) Emergency(finess string) (snapshot.EmergencyDept, bool) {
	u, ok := e.emergency[finess]
	return u, ok
}

// Maternity returns the SAE record of a maternity.
func (e *Engine) Maternity(finess string) (snapshot.Maternity, bool) {
	m, ok := e.maternity[finess]
	return m, ok
}

// EstablishmentsIn returns the indexes (into Snap.Establishments) of the
// counted establishments standing in a commune.
func (e *Engine) EstablishmentsIn(code string) []int { return e.byCommune[code] }

// CPTSOf returns the CPTS whose known perimeter includes a commune.
func (e *Engine) CPTSOf(code string) []string { return e.cptsOf[code] }

// GPs returns the BPE 2017 GP count of a commune; ok is false where the
// source has no data (Paris), as opposed to a true zero.
func (e *Engine) GPs(code string) (n int, ok bool) {
	if e.noGPData[code] {
		return 0, false
	}
	return e.gps[code], true
}

// Class returns the APL class of a value: "low" (≤ Low), "middle" or "high".
func (t Thresholds) Class(apl float64) string {
	switch {
	case apl <= t.Low:
		return "low"
	case apl <= t.Middle:
		return "middle"
	default:
		return "high"
	}
}

// Figures computes the indicators of a set of current communes.
func (e *Engine) Figures(codes []string) Figures {
	f := Figures{Communes: len(codes), Structures: map[string]int{}}
	var aplW, aplP, apl22W, apl22P, std, tot float64
	var low, mid, high float64
	gps, gpPop, gpData := 0, 0, false
	cptsCommunes, cptsPop := 0, 0
	for _, code := range codes {
		c := e.Snap.Commune(code)
		if c == nil {
			continue
		}
		f.Population += c.Population
		if a, ok := e.APL.Get(code, 2023); ok {
			aplW += a.Value * a.PopTotal
			aplP += a.PopTotal
			std += a.PopStandardised
			tot += a.PopTotal
			switch e.Thresholds.Class(a.Value) {
			case "low":
				low += a.PopTotal
			case "middle":
				mid += a.PopTotal
			default:
				high += a.PopTotal
			}
		}
		if a, ok := e.APL.Get(code, 2022); ok {
			apl22W += a.Value * a.PopTotal
			apl22P += a.PopTotal
		}
		if n, ok := e.GPs(code); ok {
			gps += n
			gpPop += c.Population
			gpData = true
		}
		for _, i := range e.byCommune[code] {
			for _, k := range e.kindsOf[e.Snap.Establishments[i].Finess] {
				f.Structures[k]++
			}
		}
		if len(e.cptsOf[code]) > 0 {
			cptsCommunes++
			cptsPop += c.Population
		}
	}
	if aplP > 0 {
		f.APL2023 = ptr(aplW / aplP)
		f.ShareLow, f.ShareMiddle, f.ShareHigh = ptr(low/aplP), ptr(mid/aplP), ptr(high/aplP)
		f.NeedIndex = ptr(std / tot)
	}
	if apl22P > 0 {
		f.APL2022 = ptr(apl22W / apl22P)
	}
	if gpData {
		f.GPs = ptr(gps)
		if gpPop > 0 {
			f.GPDensity = ptr(float64(gps) / float64(gpPop) * 10000)
		}
	}
	if e.cptsKnownFor(codes) && f.Communes > 0 {
		f.CPTSCommuneShare = ptr(float64(cptsCommunes) / float64(f.Communes))
		if f.Population > 0 {
			f.CPTSPopulationShare = ptr(float64(cptsPop) / float64(f.Population))
		}
	}
	return f
}

// cptsKnownFor reports whether CPTS perimeters are known for all the
// communes' départements: a coverage share elsewhere would read as "no CPTS"
// when the truth is "no data".
func (e *Engine) cptsKnownFor(codes []string) bool {
	for _, code := range codes {
		if c := e.Snap.Commune(code); c != nil && !e.cptsDeps[c.Dep] {
			return false
		}
	}
	return len(codes) > 0
}

// LevelFigures returns the figures of a département ("departement"), a
// région ("region") or France ("france", code ""), cached.
func (e *Engine) LevelFigures(kind, code string) Figures {
	key := kind + ":" + code
	e.mu.Lock()
	f, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return f
	}
	var codes []string
	for _, c := range e.Snap.Communes {
		if kind == "france" || (kind == "departement" && c.Dep == code) || (kind == "region" && c.Reg == code) {
			codes = append(codes, c.Code)
		}
	}
	f = e.Figures(codes)
	f.Share75Plus = e.share75(kind, code)
	e.mu.Lock()
	e.cache[key] = f
	e.mu.Unlock()
	return f
}

func (e *Engine) share75(kind, code string) *float64 {
	old, all := 0, 0
	for _, p := range e.Snap.PopAge {
		d := e.Snap.Departement(p.Dep)
		if kind == "france" || (kind == "departement" && p.Dep == code) || (kind == "region" && d != nil && d.Region == code) {
			old += p.Age75Plus
			all += p.Total
		}
	}
	if all == 0 {
		return nil
	}
	return ptr(float64(old) / float64(all))
}

// Levels returns the territory's comparison levels: its départements, its
// régions, then France, in code order.
func (e *Engine) Levels(codes []string) []Level {
	deps, regs := map[string]bool{}, map[string]bool{}
	for _, code := range codes {
		if c := e.Snap.Commune(code); c != nil {
			deps[c.Dep] = true
			regs[c.Reg] = true
		}
	}
	var out []Level
	for _, d := range sortedKeys(deps) {
		name := d
		if x := e.Snap.Departement(d); x != nil {
			name = x.Name
		}
		out = append(out, Level{Kind: "departement", Code: d, Name: name, Figures: e.LevelFigures("departement", d)})
	}
	for _, r := range sortedKeys(regs) {
		name := r
		if x := e.Snap.Region(r); x != nil {
			name = x.Name
		}
		out = append(out, Level{Kind: "region", Code: r, Name: name, Figures: e.LevelFigures("region", r)})
	}
	out = append(out, Level{Kind: "france", Code: "FR", Name: "France", Figures: e.LevelFigures("france", "")})
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }
