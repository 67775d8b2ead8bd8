package snapshot

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Each table has one writer (used by the generator and by `datasets import`)
// and one loader; both name the columns, so a renamed or missing column is an
// error at load time rather than a silent zero.

func writeTable[T any](w io.Writer, rows []T, columns []string, values func(*T) []any) (int, error) {
	tw, err := NewTableWriter(w, columns...)
	if err != nil {
		return 0, err
	}
	for i := range rows {
		if err := tw.Write(values(&rows[i])...); err != nil {
			return 0, err
		}
	}
	return tw.Rows(), tw.Close()
}

// WriteCommunes writes the communes table.
func WriteCommunes(w io.Writer, rows []Commune) (int, error) {
	return writeTable(w, rows, []string{"code", "name", "dep", "reg", "epci", "population", "has_pop", "lat", "lon", "point_source"},
		func(c *Commune) []any {
			return []any{c.Code, c.Name, c.Dep, c.Reg, c.EPCI, c.Population, c.HasPop, c.Lat, c.Lon, c.PointSource}
		})
}

func (s *Snapshot) loadCommunes(r *tableReader) {
	code, name, dep, reg, epci, pop, hasPop, lat, lon, ps := r.col("code"), r.col("name"), r.col("dep"), r.col("reg"), r.col("epci"), r.col("population"), r.col("has_pop"), r.col("lat"), r.col("lon"), r.col("point_source")
	s.Communes = make([]Commune, 0, r.rows)
	for r.next() {
		s.Communes = append(s.Communes, Commune{Code: r.str(code), Name: r.str(name), Dep: r.str(dep), Reg: r.str(reg), EPCI: r.str(epci),
			Population: r.int(pop), HasPop: r.bool(hasPop), Lat: r.float(lat), Lon: r.float(lon), PointSource: r.str(ps)})
	}
}

// WriteArrondissements writes the arrondissements municipaux table.
func WriteArrondissements(w io.Writer, rows []Arrondissement) (int, error) {
	return writeTable(w, rows, []string{"code", "name", "commune", "population", "lat", "lon"},
		func(a *Arrondissement) []any { return []any{a.Code, a.Name, a.Commune, a.Population, a.Lat, a.Lon} })
}

func (s *Snapshot) loadArrondissements(r *tableReader) {
	code, name, com, pop, lat, lon := r.col("code"), r.col("name"), r.col("commune"), r.col("population"), r.col("lat"), r.col("lon")
	s.Arrondissements = make([]Arrondissement, 0, r.rows)
	for r.next() {
		s.Arrondissements = append(s.Arrondissements, Arrondissement{Code: r.str(code), Name: r.str(name), Commune: r.str(com), Population: r.int(pop),
			Lat: r.float(lat), Lon: r.float(lon)})
	}
}

// WriteOldCodes writes the old-code mapping table.
func WriteOldCodes(w io.Writer, rows []OldCode) (int, error) {
	return writeTable(w, rows, []string{"code", "name", "current", "kind"},
		func(o *OldCode) []any { return []any{o.Code, o.Name, o.Current, o.Kind} })
}

func (s *Snapshot) loadOldCodes(r *tableReader) {
	code, name, cur, kind := r.col("code"), r.col("name"), r.col("current"), r.col("kind")
	s.OldCodes = make([]OldCode, 0, r.rows)
	for r.next() {
		s.OldCodes = append(s.OldCodes, OldCode{Code: r.str(code), Name: r.str(name), Current: r.str(cur), Kind: r.str(kind)})
	}
}

// WriteEPCI writes the EPCI table.
func WriteEPCI(w io.Writer, rows []EPCI) (int, error) {
	return writeTable(w, rows, []string{"siren", "name", "type", "population", "members"},
		func(e *EPCI) []any { return []any{e.Siren, e.Name, e.Type, e.Population, e.Members} })
}

func (s *Snapshot) loadEPCI(r *tableReader) {
	siren, name, typ, pop, mem := r.col("siren"), r.col("name"), r.col("type"), r.col("population"), r.col("members")
	s.EPCIs = make([]EPCI, 0, r.rows)
	for r.next() {
		s.EPCIs = append(s.EPCIs, EPCI{Siren: r.str(siren), Name: r.str(name), Type: r.str(typ), Population: r.int(pop), Members: r.list(mem)})
	}
}

// WriteDepartements writes the départements table.
func WriteDepartements(w io.Writer, rows []Departement) (int, error) {
	return writeTable(w, rows, []string{"code", "name", "region", "type_liaison"},
		func(d *Departement) []any { return []any{d.Code, d.Name, d.Region, d.TypeLiaison} })
}

func (s *Snapshot) loadDepartements(r *tableReader) {
	code, name, reg, tl := r.col("code"), r.col("name"), r.col("region"), r.optCol("type_liaison")
	s.Departements = make([]Departement, 0, r.rows)
	for r.next() {
		s.Departements = append(s.Departements, Departement{Code: r.str(code), Name: r.str(name), Region: r.str(reg), TypeLiaison: r.optInt(tl, -1)})
	}
}

// WriteRegions writes the régions table.
func WriteRegions(w io.Writer, rows []Region) (int, error) {
	return writeTable(w, rows, []string{"code", "name", "type_liaison"},
		func(x *Region) []any { return []any{x.Code, x.Name, x.TypeLiaison} })
}

func (s *Snapshot) loadRegions(r *tableReader) {
	code, name, tl := r.col("code"), r.col("name"), r.optCol("type_liaison")
	s.Regions = make([]Region, 0, r.rows)
	for r.next() {
		s.Regions = append(s.Regions, Region{Code: r.str(code), Name: r.str(name), TypeLiaison: r.optInt(tl, -1)})
	}
}

// WriteAPL writes the official APL table.
func WriteAPL(w io.Writer, rows []APL) (int, error) {
	return writeTable(w, rows, []string{"code", "vintage", "pop_year", "apl", "apl_under65", "pop_standardised", "pop_total"},
		func(a *APL) []any {
			return []any{a.Code, a.Vintage, a.PopYear, a.Value, a.Under65, a.PopStandardised, a.PopTotal}
		})
}

func (s *Snapshot) loadAPL(r *tableReader) { s.APL = readAPL(r, nil) }

// readAPL reads the APL rows whose code keep accepts (every row when keep
// is nil), without parsing the numbers of the others.
func readAPL(r *tableReader, keep func(code string) bool) []APL {
	code, vin, py, apl, u65, ps, pt := r.col("code"), r.col("vintage"), r.col("pop_year"), r.col("apl"), r.col("apl_under65"), r.col("pop_standardised"), r.col("pop_total")
	n := r.rows
	next := r.next
	if keep != nil {
		n = 0
		if code == 0 {
			// The code first, as the writer puts it: the other rows are
			// skipped without being split.
			next = func() bool { return r.nextWhere(keep) }
		} else {
			next = func() bool {
				for r.next() {
					if keep(r.str(code)) {
						return true
					}
				}
				return false
			}
		}
	}
	out := make([]APL, 0, n)
	for next() {
		out = append(out, APL{Code: r.str(code), Vintage: r.int(vin), PopYear: r.int(py), Value: r.float(apl), Under65: r.float(u65),
			PopStandardised: r.float(ps), PopTotal: r.float(pt)})
	}
	return out
}

// LoadAPLOf reads the APL rows of the places of codes only (current
// communes or arrondissements municipaux): their own rows, those of the
// former communes merged into them, and for a city those of its
// arrondissements. A command that shows a few places loads the snapshot
// without the APL table (LoadLayersOnly), resolves them, then calls this
// rather than parsing the 70,000 rows of France. The communes, old codes
// and arrondissements must be loaded.
func (s *Snapshot) LoadAPLOf(codes []string) error {
	r, err := s.openTable(APLFile)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	des := s.CodesDesignating(codes)
	s.APL = readAPL(r, func(code string) bool { return des[code] })
	if r.err != nil {
		return fmt.Errorf("snapshot: %w", r.err)
	}
	return nil
}

// LoadAPL reads the whole APL table, replacing what LoadAPLOf read.
func (s *Snapshot) LoadAPL() error {
	r, err := s.openTable(APLFile)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	s.APL = readAPL(r, nil)
	if r.err != nil {
		return fmt.Errorf("snapshot: %w", r.err)
	}
	return nil
}

// CodesDesignating returns the codes of any vintage that designate one of
// the places of codes today (see PlaceOf), or an arrondissement municipal
// of one: the places themselves, the old codes merged into them, the
// arrondissements of a city. A table published in older geographies (the
// APL) is filtered by one look-up in this small set rather than by
// resolving each of its codes. The communes, old codes and arrondissements
// must be loaded. The set must not be modified: the last one is kept and
// returned again for the same codes (a diagnose asks twice, for LoadAPLOf
// and for its APL index).
func (s *Snapshot) CodesDesignating(codes []string) map[string]bool {
	s.desMu.Lock()
	defer s.desMu.Unlock()
	if s.des != nil && slices.Equal(s.desCodes, codes) {
		return s.des
	}
	s.desCodes, s.des = slices.Clone(codes), s.codesDesignating(codes)
	return s.des
}

func (s *Snapshot) codesDesignating(codes []string) map[string]bool {
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	wanted := func(code string) bool {
		place := s.PlaceOf(code)
		return place != "" && (want[place] || want[s.CityOf(place)])
	}
	out := map[string]bool{}
	for _, c := range codes {
		if wanted(c) {
			out[c] = true
		}
		for _, a := range s.ArrondissementsOf(c) {
			out[a] = true
		}
	}
	for _, o := range s.OldCodes {
		if wanted(o.Code) {
			out[o.Code] = true
		}
	}
	return out
}

// WriteGPs writes the GPs-per-commune table.
func WriteGPs(w io.Writer, rows []GPCount) (int, error) {
	return writeTable(w, rows, []string{"code", "count", "vintage"},
		func(g *GPCount) []any { return []any{g.Code, g.Count, g.Vintage} })
}

func (s *Snapshot) loadGPs(r *tableReader) {
	code, n, vin := r.col("code"), r.col("count"), r.col("vintage")
	s.GPs = make([]GPCount, 0, r.rows)
	for r.next() {
		s.GPs = append(s.GPs, GPCount{Code: r.str(code), Count: r.int(n), Vintage: r.int(vin)})
	}
}

// WriteLiberal writes the libéral professionals per département table.
func WriteLiberal(w io.Writer, rows []LiberalCount) (int, error) {
	return writeTable(w, rows, []string{"dep", "sheet", "category", "total", "vintage"},
		func(l *LiberalCount) []any { return []any{l.Dep, l.Sheet, l.Category, l.Total, l.Vintage} })
}

func (s *Snapshot) loadLiberal(r *tableReader) {
	dep, sheet, cat, tot, vin := r.col("dep"), r.col("sheet"), r.col("category"), r.col("total"), r.col("vintage")
	s.Liberal = make([]LiberalCount, 0, r.rows)
	for r.next() {
		s.Liberal = append(s.Liberal, LiberalCount{Dep: r.str(dep), Sheet: r.str(sheet), Category: r.str(cat), Total: r.int(tot), Vintage: r.int(vin)})
	}
}

// WriteEstablishments writes the establishments table.
func WriteEstablishments(w io.Writer, rows []Establishment) (int, error) {
	return writeTable(w, rows, []string{"finess", "finess_ej", "category", "category_label", "name", "long_name", "address", "postcode", "city",
		"commune", "lat", "lon", "has_point", "placement", "source", "opened", "proximity_hospital", "proximity_source", "arrondissement"},
		func(e *Establishment) []any {
			return []any{e.Finess, e.FinessEJ, e.Category, e.CategoryLabel, e.Name, e.LongName, e.Address, e.Postcode, e.City,
				e.Commune, e.Lat, e.Lon, e.HasPoint, e.Placement, e.Source, e.Opened, e.ProximityHospital, e.ProximitySource, e.Arrondissement}
		})
}

func (s *Snapshot) loadEstablishments(r *tableReader) {
	fi, ej, cat, catl, name, long, addr, cp, city := r.col("finess"), r.col("finess_ej"), r.col("category"), r.col("category_label"), r.col("name"), r.col("long_name"), r.col("address"), r.col("postcode"), r.col("city")
	com, lat, lon, hp, pl, src, op, prox := r.col("commune"), r.col("lat"), r.col("lon"), r.col("has_point"), r.col("placement"), r.col("source"), r.col("opened"), r.col("proximity_hospital")
	proxSrc, arr := r.optCol("proximity_source"), r.optCol("arrondissement")
	s.Establishments = make([]Establishment, 0, r.rows)
	for r.next() {
		s.Establishments = append(s.Establishments, Establishment{Finess: r.str(fi), FinessEJ: r.str(ej), Category: r.str(cat), CategoryLabel: r.str(catl),
			Name: r.str(name), LongName: r.str(long), Address: r.str(addr), Postcode: r.str(cp), City: r.str(city), Commune: r.str(com),
			Lat: r.float(lat), Lon: r.float(lon), HasPoint: r.bool(hp), Placement: r.str(pl), Source: r.str(src), Opened: r.str(op), ProximityHospital: r.bool(prox),
			ProximitySource: r.optStr(proxSrc), Arrondissement: r.optStr(arr)})
	}
}

// WriteEmergency writes the emergency departments table.
func WriteEmergency(w io.Writer, rows []EmergencyDept) (int, error) {
	return writeTable(w, rows, []string{"finess", "year", "general", "pediatric", "passages"},
		func(e *EmergencyDept) []any {
			passages := "" // not reported
			if e.Passages != nil {
				passages = strconv.Itoa(*e.Passages)
			}
			return []any{e.Finess, e.Year, e.General, e.Pediatric, passages}
		})
}

func (s *Snapshot) loadEmergency(r *tableReader) {
	fi, y, g, p, n := r.col("finess"), r.col("year"), r.col("general"), r.col("pediatric"), r.col("passages")
	s.Emergency = make([]EmergencyDept, 0, r.rows)
	for r.next() {
		e := EmergencyDept{Finess: r.str(fi), Year: r.int(y), General: r.bool(g), Pediatric: r.bool(p)}
		if r.str(n) != "" {
			v := r.int(n)
			e.Passages = &v
		}
		s.Emergency = append(s.Emergency, e)
	}
}

// WriteMaternities writes the maternities table.
func WriteMaternities(w io.Writer, rows []Maternity) (int, error) {
	return writeTable(w, rows, []string{"finess", "year", "type", "births"},
		func(m *Maternity) []any { return []any{m.Finess, m.Year, m.Type, m.Births} })
}

func (s *Snapshot) loadMaternities(r *tableReader) {
	fi, y, t, b := r.col("finess"), r.col("year"), r.col("type"), r.col("births")
	s.Maternities = make([]Maternity, 0, r.rows)
	for r.next() {
		s.Maternities = append(s.Maternities, Maternity{Finess: r.str(fi), Year: r.int(y), Type: r.str(t), Births: r.int(b)})
	}
}

// WriteCPTS writes the CPTS perimeters table.
func WriteCPTS(w io.Writer, rows []CPTSMember) (int, error) {
	return writeTable(w, rows, []string{"cpts", "status", "commune", "arrondissements", "infra", "source_code"},
		func(c *CPTSMember) []any {
			return []any{c.CPTS, c.Status, c.Commune, c.Arrondissements, c.InfraCommunal, c.SourceCode}
		})
}

func (s *Snapshot) loadCPTS(r *tableReader) {
	n, st, com, arr, inf, sc := r.col("cpts"), r.col("status"), r.col("commune"), r.col("arrondissements"), r.col("infra"), r.col("source_code")
	s.CPTS = make([]CPTSMember, 0, r.rows)
	for r.next() {
		s.CPTS = append(s.CPTS, CPTSMember{CPTS: r.str(n), Status: r.str(st), Commune: r.str(com), Arrondissements: r.list(arr), InfraCommunal: r.str(inf), SourceCode: r.str(sc)})
	}
}

// WritePopAge writes the population by département and age table.
func WritePopAge(w io.Writer, rows []PopAge) (int, error) {
	return writeTable(w, rows, []string{"dep", "year", "age_0_19", "age_20_39", "age_40_59", "age_60_74", "age_75p", "total"},
		func(p *PopAge) []any {
			return []any{p.Dep, p.Year, p.Age0to19, p.Age20to39, p.Age40to59, p.Age60to74, p.Age75Plus, p.Total}
		})
}

func (s *Snapshot) loadPopAge(r *tableReader) {
	d, y, a, b, c, e, f, t := r.col("dep"), r.col("year"), r.col("age_0_19"), r.col("age_20_39"), r.col("age_40_59"), r.col("age_60_74"), r.col("age_75p"), r.col("total")
	s.PopAge = make([]PopAge, 0, r.rows)
	for r.next() {
		s.PopAge = append(s.PopAge, PopAge{Dep: r.str(d), Year: r.int(y), Age0to19: r.int(a), Age20to39: r.int(b), Age40to59: r.int(c), Age60to74: r.int(e), Age75Plus: r.int(f), Total: r.int(t)})
	}
}

// WriteProfessionals writes the per-commune professionals table.
func WriteProfessionals(w io.Writer, rows []ProfessionalCount) (int, error) {
	return writeTable(w, rows, []string{"code", "profession", "count", "liberal", "vintage"},
		func(p *ProfessionalCount) []any { return []any{p.Code, p.Profession, p.Count, p.Liberal, p.Vintage} })
}

func (s *Snapshot) loadProfessionals(r *tableReader) {
	code, prof, n, lib, vin := r.col("code"), r.col("profession"), r.col("count"), r.col("liberal"), r.col("vintage")
	s.Professionals = make([]ProfessionalCount, 0, r.rows)
	for r.next() {
		s.Professionals = append(s.Professionals, ProfessionalCount{Code: r.str(code), Profession: r.str(prof), Count: r.int(n), Liberal: r.int(lib), Vintage: r.str(vin)})
	}
}

// WriteGPSites writes the GP sites table of an imported RPPS extraction.
func WriteGPSites(w io.Writer, rows []GPSite) (int, error) {
	return writeTable(w, rows, []string{"person", "code", "mode", "vintage"},
		func(g *GPSite) []any { return []any{g.Person, g.Code, g.Mode, g.Vintage} })
}

func (s *Snapshot) loadGPSites(r *tableReader) {
	person, code, mode, vin := r.col("person"), r.col("code"), r.col("mode"), r.col("vintage")
	s.GPSites = make([]GPSite, 0, r.rows)
	for r.next() {
		s.GPSites = append(s.GPSites, GPSite{Person: r.str(person), Code: r.str(code), Mode: r.str(mode), Vintage: r.str(vin)})
	}
}

// WriteSAS writes the SAS status per département table.
func WriteSAS(w io.Writer, rows []SAS) (int, error) {
	return writeTable(w, rows, []string{"dep", "dispositif", "status", "precision", "date"},
		func(x *SAS) []any { return []any{x.Dep, x.Dispositif, x.Status, x.Precision, x.Date} })
}

func (s *Snapshot) loadSAS(r *tableReader) {
	d, disp, st, pr, dt := r.col("dep"), r.col("dispositif"), r.col("status"), r.col("precision"), r.col("date")
	s.SAS = make([]SAS, 0, r.rows)
	for r.next() {
		s.SAS = append(s.SAS, SAS{Dep: r.str(d), Dispositif: r.str(disp), Status: r.str(st), Precision: r.str(pr), Date: r.str(dt)})
	}
}

// WritePostcodes writes the postcode table.
func WritePostcodes(w io.Writer, rows []Postcode) (int, error) {
	return writeTable(w, rows, []string{"postcode", "code", "name", "source"},
		func(p *Postcode) []any { return []any{p.Postcode, p.Code, p.Name, p.Source} })
}

func (s *Snapshot) loadPostcodes(r *tableReader) {
	pc, code, name, src := r.col("postcode"), r.col("code"), r.col("name"), r.col("source")
	s.Postcodes = make([]Postcode, 0, r.rows)
	for r.next() {
		s.Postcodes = append(s.Postcodes, Postcode{Postcode: r.str(pc), Code: r.str(code), Name: r.str(name), Source: r.str(src)})
	}
}
