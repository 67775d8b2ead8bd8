package main

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/diagsante/diagsante/datasets/apl"
	"github.com/diagsante/diagsante/datasets/cpts"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// buildAPL reads the official DREES workbook (not the derived CSVs), so the
// generator exercises the same reader as `datasets import --apl`.
func (g *gen) buildAPL(dir string) error {
	const rel = "drees-apl/apl_medecins_generalistes_2022_2023.xlsx"
	b, err := g.read(rel)
	if err != nil {
		return err
	}
	sheets, _, err := apl.ReadWorkbookReader(bytes.NewReader(b), rel)
	if err != nil {
		return err
	}
	want := map[int]int{2022: 34964, 2023: 34954}
	var out []snapshot.APL
	for _, sh := range sheets {
		n, ok := want[sh.Vintage]
		if !ok {
			continue
		}
		if len(sh.Records) != n {
			return fmt.Errorf("%s: sheet %q has %d communes, SOURCES.md documents %d", rel, sh.Name, len(sh.Records), n)
		}
		delete(want, sh.Vintage)
		for _, r := range sh.Records {
			if _, kind, ok := g.cog.current(r.Code); !ok {
				g.unmatched[fmt.Sprintf("APL %d codes unknown to COG 2026", sh.Vintage)]++
				g.log.Warn("APL code unknown to COG 2026", "vintage", sh.Vintage, "code", r.Code, "name", r.Name)
			} else if kind == "old" {
				g.unmatched[fmt.Sprintf("APL %d codes of communes merged since (kept under their code)", sh.Vintage)]++
			}
			out = append(out, snapshot.APL{Code: r.Code, Vintage: sh.Vintage, PopYear: sh.PopYear, Value: r.APL, Under65: r.APLUnder65,
				PopStandardised: r.PopStandardised, PopTotal: r.PopTotal})
		}
	}
	if len(want) > 0 {
		return fmt.Errorf("%s: missing vintages %v", rel, want)
	}
	covered := map[string]snapshot.Coverage{}
	for _, a := range out {
		if cur, _, ok := g.cog.current(a.Code); ok {
			d := g.cog.communes[cur].Dep
			covered[d] = snapshot.Coverage{Dep: d, Source: "APL 2023 (DREES)", Vintage: "2023"}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].Vintage < out[j].Vintage
	})
	return g.write(dir, snapshot.APLFile, snapshot.TableInfo{Name: "apl", Title: "Accessibilité potentielle localisée (APL) aux médecins généralistes, par commune",
		Publisher: "DREES", Source: "data.drees « L'accessibilité potentielle localisée (APL) », classeur APL médecins généralistes 2022-2023 (décembre 2024)",
		Vintage: "APL 2022 (populations 2020) et APL 2023 (populations 2021)", Licence: licenceOuverte, Files: []string{rel},
		Notes: []string{"Paris, Lyon, Marseille par arrondissement municipal ; France hors Mayotte",
			"codes de la géographie de l'année de l'APL : une commune fusionnée depuis garde son code (table oldcodes)"},
		Coverage: sortedCoverage(covered)},
		func(w io.Writer) (int, error) { return snapshot.WriteAPL(w, out) })
}

// buildCPTS reads the ARS PACA CPTS perimeters as shipped.
func (g *gen) buildCPTS(dir string) error {
	const rel = "cpts-paca/cpts_paca_2026-01_communes.csv"
	b, err := g.read(rel)
	if err != nil {
		return err
	}
	var out []snapshot.CPTSMember
	names := map[string]bool{}
	if err := cpts.Read(bytes.NewReader(b), rel, func(m cpts.Member) error {
		cur, kind, ok := g.cog.current(m.Commune)
		if !ok {
			g.unmatched["CPTS communes unknown to COG 2026"]++
			return nil
		}
		if kind == "old" {
			g.unmatched["CPTS communes given by an old code (mapped to current)"]++
			g.log.Warn("CPTS commune given by an old code", "cpts", m.CPTS, "code", m.Commune, "current", cur)
		}
		names[m.CPTS] = true
		out = append(out, snapshot.CPTSMember{CPTS: m.CPTS, Status: m.Status, Commune: cur, Arrondissements: m.Arrondissements,
			InfraCommunal: m.InfraCommunal, SourceCode: m.Commune})
		return nil
	}); err != nil {
		return err
	}
	if len(names) != 70 {
		return fmt.Errorf("%s: %d CPTS, SOURCES.md documents 70", rel, len(names))
	}
	return g.write(dir, snapshot.CPTSFile, snapshot.TableInfo{Name: "cpts", Title: "Périmètres des CPTS (communes couvertes)",
		Publisher: "ARS Provence-Alpes-Côte d'Azur", Source: "liste ARS PACA des CPTS (01/2026) via SKHTay/Carto-Sante-PACA-T-l-med",
		Vintage: "janvier 2026", Licence: "non précisée par la source (données publiques ARS)", Files: []string{rel},
		Notes:    []string{"région PACA seulement ; ailleurs, FINESS 604 donne les sièges des CPTS, pas leurs périmètres"},
		Coverage: pacaCoverage()},
		func(w io.Writer) (int, error) { return snapshot.WriteCPTS(w, out) })
}

// pacaCoverage lists the départements of région PACA, which the CPTS
// perimeters describe (all of its CPTS, whatever their commune).
func pacaCoverage() []snapshot.Coverage {
	var out []snapshot.Coverage
	for _, d := range []string{"04", "05", "06", "13", "83", "84"} {
		out = append(out, snapshot.Coverage{Dep: d, Source: "ARS PACA 2026-01", Vintage: "2026-01"})
	}
	return out
}
