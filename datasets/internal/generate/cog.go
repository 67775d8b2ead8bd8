package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// cog is the Code officiel géographique 2026 as the other steps need it.
type cog struct {
	communes map[string]*snapshot.Commune
	codes    []string // current codes, sorted
	arr      []snapshot.Arrondissement
	arrOf    map[string]string // arrondissement code -> commune code
	old      map[string]snapshot.OldCode
	epci     []snapshot.EPCI
	deps     []snapshot.Departement
	regs     []snapshot.Region
	postcode map[string][]string // postcode -> current codes (COG 2026 codesPostaux)
}

type cogEntry struct {
	Code        string   `json:"code"`
	Name        string   `json:"nom"`
	Type        string   `json:"type"`
	Dep         string   `json:"departement"`
	Reg         string   `json:"region"`
	ChefLieu    string   `json:"chefLieu"`
	Commune     string   `json:"commune"`
	Population  *int     `json:"population"`
	CodesPostal []string `json:"codesPostaux"`
	OldCodes    []string `json:"anciensCodes"`
}

func (g *gen) readJSON(rel string, gz bool, v any) error {
	b, err := g.read(rel)
	if err != nil {
		return err
	}
	var r io.Reader = bytes.NewReader(b)
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		r = zr
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return nil
}

func (g *gen) buildCOG(dir string) error {
	c, err := g.readCOGCommunes()
	if err != nil {
		return err
	}
	if err := g.readCOGEPCI(c); err != nil {
		return err
	}
	if err := g.readCOGAreas(c); err != nil {
		return err
	}
	g.cog = c
	return g.writeCOGTables(dir, c)
}

// cogBase is the folder of the COG files under the raw data.
const cogBase = "cog-decoupage-administratif-2026/"

// readCOGCommunes reads the current communes, the arrondissements
// municipaux and the old codes (delegated and associated communes, and the
// anciensCodes of communes absorbed without keeping a status).
func (g *gen) readCOGCommunes() (*cog, error) {
	const base = cogBase
	var entries []struct {
		cogEntry
		TypeLiaison    int    `json:"typeLiaison"`
		Zone           string `json:"zone"`
		Arrondissement string `json:"arrondissement"`
		RangChefLieu   int    `json:"rangChefLieu"`
		Siren          string `json:"siren"`
	}
	if err := g.readJSON(base+"communes.json.gz", true, &entries); err != nil {
		return nil, err
	}
	var anciens []snapshot.OldCode
	c := &cog{communes: map[string]*snapshot.Commune{}, arrOf: map[string]string{}, old: map[string]snapshot.OldCode{}, postcode: map[string][]string{}}
	for _, e := range entries {
		switch e.Type {
		case "commune-actuelle":
			if len(e.Code) != 5 || e.Dep == "" {
				return nil, fmt.Errorf("%scommunes.json.gz: commune %q has no code or département", base, e.Code)
			}
			cm := &snapshot.Commune{Code: e.Code, Name: e.Name, Dep: e.Dep, Reg: e.Reg}
			if e.Population != nil {
				cm.Population, cm.HasPop = *e.Population, true
			} else {
				g.unmatched["communes without population (COG)"]++
			}
			c.communes[e.Code] = cm
			for _, o := range e.OldCodes {
				anciens = append(anciens, snapshot.OldCode{Code: o, Current: e.Code, Kind: "ancien-code"})
			}
			for _, cp := range e.CodesPostal {
				c.postcode[cp] = append(c.postcode[cp], e.Code)
			}
		case "arrondissement-municipal":
			pop := 0
			if e.Population != nil {
				pop = *e.Population
			}
			c.arr = append(c.arr, snapshot.Arrondissement{Code: e.Code, Name: e.Name, Commune: e.Commune, Population: pop})
			c.arrOf[e.Code] = e.Commune
		case "commune-deleguee", "commune-associee":
			if e.ChefLieu == "" {
				return nil, fmt.Errorf("%scommunes.json.gz: %s %s has no chefLieu", base, e.Type, e.Code)
			}
			// The commune déléguée that is the chef-lieu shares its code
			// with the commune nouvelle: that code is current, not old.
			if e.Code != e.ChefLieu {
				c.old[e.Code] = snapshot.OldCode{Code: e.Code, Name: e.Name, Current: e.ChefLieu, Kind: e.Type}
			}
		default:
			return nil, fmt.Errorf("%scommunes.json.gz: unknown type %q", base, e.Type)
		}
	}
	// anciensCodes also lists communes absorbed without keeping a delegated
	// status; the delegated entries, which carry the old name, take precedence.
	for _, o := range anciens {
		if prev, ok := c.old[o.Code]; ok {
			if prev.Current != o.Current {
				// e.g. 55273 Lamarche-en-Woëvre, associated with 55386 but
				// listed as an old code of 55245: keep the associated status.
				g.log.Warn("old code with two current communes; keeping the delegated/associated one", "code", o.Code, "kept", prev.Current, "dropped", o.Current)
				g.unmatched["old codes claimed by two current communes (delegated/associated kept)"]++
			}
			continue
		}
		c.old[o.Code] = o
	}
	for code := range c.communes {
		c.codes = append(c.codes, code)
	}
	sort.Strings(c.codes)
	for k, o := range c.old {
		if _, ok := c.communes[o.Current]; !ok {
			return nil, fmt.Errorf("%scommunes.json.gz: %s maps to %s, which is not a current commune", base, k, o.Current)
		}
		if _, ok := c.communes[k]; ok {
			delete(c.old, k) // a current code is never "old"
		}
	}
	return c, nil
}

// readCOGEPCI reads the EPCI and gives each commune its EPCI.
func (g *gen) readCOGEPCI(c *cog) error {
	const base = cogBase
	var epcis []struct {
		Code       string `json:"code"`
		Name       string `json:"nom"`
		Type       string `json:"type"`
		Financing  string `json:"modeFinancement"`
		PopTotale  int    `json:"populationTotale"`
		PopMunicip int    `json:"populationMunicipale"`
		Members    []struct {
			Code       string `json:"code"`
			Siren      string `json:"siren"`
			Name       string `json:"nom"`
			PopTotale  int    `json:"populationTotale"`
			PopMunicip int    `json:"populationMunicipale"`
		} `json:"membres"`
	}
	if err := g.readJSON(base+"epci.json.gz", true, &epcis); err != nil {
		return err
	}
	for _, e := range epcis {
		x := snapshot.EPCI{Siren: e.Code, Name: e.Name, Type: e.Type, Population: e.PopMunicip}
		for _, m := range e.Members {
			cm, ok := c.communes[m.Code]
			if !ok {
				return fmt.Errorf("%sepci.json.gz: EPCI %s lists %s, not a current commune", base, e.Code, m.Code)
			}
			if cm.EPCI != "" {
				return fmt.Errorf("%sepci.json.gz: commune %s is in EPCI %s and %s", base, m.Code, cm.EPCI, e.Code)
			}
			cm.EPCI = e.Code
			x.Members = append(x.Members, m.Code)
		}
		sort.Strings(x.Members)
		c.epci = append(c.epci, x)
	}
	sort.Slice(c.epci, func(i, j int) bool { return c.epci[i].Siren < c.epci[j].Siren })
	for _, code := range c.codes {
		if c.communes[code].EPCI == "" {
			g.unmatched["communes outside any EPCI (COG: islands, overseas collectivités)"]++
		}
	}
	return nil
}

// readCOGAreas reads the départements and régions.
func (g *gen) readCOGAreas(c *cog) error {
	const base = cogBase
	var deps []struct {
		Code, Region, ChefLieu, Nom, Zone string
		TypeLiaison                       int
	}
	if err := g.readJSON(base+"departements.json", false, &deps); err != nil {
		return err
	}
	for _, d := range deps {
		c.deps = append(c.deps, snapshot.Departement{Code: d.Code, Name: d.Nom, Region: d.Region, TypeLiaison: d.TypeLiaison})
	}
	var regs []struct {
		Code, ChefLieu, Nom, Zone string
		TypeLiaison               int
	}
	if err := g.readJSON(base+"regions.json", false, &regs); err != nil {
		return err
	}
	for _, r := range regs {
		c.regs = append(c.regs, snapshot.Region{Code: r.Code, Name: r.Nom, TypeLiaison: r.TypeLiaison})
	}
	return nil
}

// writeCOGTables writes the old codes, EPCI, départements and régions.
func (g *gen) writeCOGTables(dir string, c *cog) error {
	const base = cogBase
	src := cogSource
	files := []string{base + "communes.json.gz"}
	olds := make([]snapshot.OldCode, 0, len(c.old))
	for _, o := range c.old {
		olds = append(olds, o)
	}
	sort.Slice(olds, func(i, j int) bool { return olds[i].Code < olds[j].Code })
	if err := g.write(dir, snapshot.OldCodesFile, snapshot.TableInfo{Name: "oldcodes", Title: "Anciens codes de communes fusionnées (communes déléguées et associées)",
		Publisher: "INSEE", Source: src, Vintage: "COG 2026", Licence: licenceOuverte, Files: files},
		func(w io.Writer) (int, error) { return snapshot.WriteOldCodes(w, olds) }); err != nil {
		return err
	}
	if err := g.write(dir, snapshot.EPCIFile, snapshot.TableInfo{Name: "epci", Title: "EPCI à fiscalité propre et leurs communes membres",
		Publisher: "DGCL / INSEE", Source: src, Vintage: "EPCI au 1er janvier 2026", Licence: licenceOuverte, Files: []string{base + "epci.json.gz"}},
		func(w io.Writer) (int, error) { return snapshot.WriteEPCI(w, c.epci) }); err != nil {
		return err
	}
	if err := g.write(dir, snapshot.DepartementsFile, snapshot.TableInfo{Name: "departements", Title: "Départements",
		Publisher: "INSEE", Source: src, Vintage: "COG 2026", Licence: licenceOuverte, Files: []string{base + "departements.json"}},
		func(w io.Writer) (int, error) { return snapshot.WriteDepartements(w, c.deps) }); err != nil {
		return err
	}
	return g.write(dir, snapshot.RegionsFile, snapshot.TableInfo{Name: "regions", Title: "Régions",
		Publisher: "INSEE", Source: src, Vintage: "COG 2026", Licence: licenceOuverte, Files: []string{base + "regions.json"}},
		func(w io.Writer) (int, error) { return snapshot.WriteRegions(w, c.regs) })
}

const (
	cogSource  = "npm @etalab/decoupage-administratif 6.0.0 (INSEE COG 2026, DGCL EPCI 2026)"
	cogVintage = "COG 2026; populations de référence en vigueur au 1er janvier 2026"
)

// current maps any commune code of an older source to the current commune:
// itself when current, the chef-lieu for a commune déléguée or associée, or
// the commune of an arrondissement municipal. ok is false when unknown.
func (c *cog) current(code string) (cur string, kind string, ok bool) {
	if _, ok := c.communes[code]; ok {
		return code, "current", true
	}
	if o, ok := c.old[code]; ok {
		return o.Current, "old", true
	}
	if com, ok := c.arrOf[code]; ok {
		return com, "arrondissement", true
	}
	return "", "", false
}
