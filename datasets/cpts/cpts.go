// Package cpts reads lists of CPTS (communautés professionnelles
// territoriales de santé) and the communes they cover. No national official
// file exists, so the project defines its own simple format and also reads
// the ARS PACA listing as shipped.
//
// # Simple format (ours)
//
// UTF-8 (a BOM is accepted; Windows-1252 is decoded), `;`-separated, one
// header line, then one row per (CPTS, commune):
//
//	cpts_nom;code_commune_insee;statut
//	CPTS du Pays de Nemours;77333;en fonctionnement
//	CPTS du Pays de Nemours;77001;
//
// cpts_nom is the CPTS name as it should be displayed, code_commune_insee
// the 5-character INSEE code of a member commune (2A/2B for Corsica;
// numeric codes that lost their leading zero in a spreadsheet are
// left-padded), statut an optional free label (e.g. "en projet", "en
// fonctionnement"; the column itself is optional). Fields may be quoted
// with double quotes, which lets a name contain a `;`. Blank lines are
// ignored.
//
// # PACA format (as shipped)
//
//	cpts_nom;code_commune_insee;arrondissements_municipaux;perimetre_infra_communal
//
// arrondissements_municipaux lists, `|`-separated, the arrondissements of
// Marseille (13201…13216) a CPTS covers when the commune is 13055;
// perimetre_infra_communal names a commune shared between several CPTS
// (Nice, Toulon).
//
// The variant is detected from the header by column names (case, accents
// and punctuation ignored), so columns may come in any order.
package cpts

import (
	"fmt"
	"io"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// A Member is one commune of one CPTS.
type Member struct {
	CPTS            string   // CPTS name
	Commune         string   // INSEE code, 5 characters
	Status          string   // statut, empty when not given
	Arrondissements []string // municipal arrondissements covered (PACA file), nil otherwise
	InfraCommunal   string   // name of a commune shared between CPTS (PACA file)
	Line            int      // 1-based line in the file
}

// Read calls fn for each member row of the file. It stops at the first
// malformed row or at the first error returned by fn, and returns it;
// malformed input gives a *parseerr.Error with file, line and field.
func Read(r io.Reader, name string, fn func(Member) error) error {
	tr := textio.NewReader(r, name, ';')
	tr.Quotes = true
	tr.Fallback1252 = true
	names, err := tr.NextStrings()
	if err == io.EOF {
		return tr.Errorf(0, "%w", textio.ErrNoHeader)
	}
	if err != nil {
		return err
	}
	h := textio.NewHeader(names)
	iName := h.Index("cptsnom", "nomcpts", "cpts", "nom")
	iCode := h.Index("codecommuneinsee", "codecommune", "codeinsee", "codgeo", "insee")
	iStatus := h.Index("statut", "status")
	iArr := h.Index("arrondissementsmunicipaux", "arrondissements")
	iInfra := h.Index("perimetreinfracommunal")
	if iName < 0 || iCode < 0 {
		return tr.Errorf(0, "header %s: want columns cpts_nom and code_commune_insee", textio.Quote(strings.Join(names, ";")))
	}
	for {
		f, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(f) != len(names) {
			return tr.Errorf(0, "%d fields, the header has %d (truncated line or unquoted ';'?)", len(f), len(names))
		}
		m := Member{CPTS: textio.Field(f, iName), Status: textio.Field(f, iStatus), InfraCommunal: textio.Field(f, iInfra), Line: tr.Line()}
		if m.CPTS == "" {
			return tr.Errorf(iName+1, "empty CPTS name")
		}
		raw := textio.Field(f, iCode)
		if raw == "" {
			return tr.Errorf(iCode+1, "empty commune code")
		}
		code, ok := textio.CommuneCode(raw)
		if !ok {
			return tr.Errorf(iCode+1, "invalid commune code %s", textio.Quote(raw))
		}
		m.Commune = code
		if arr := textio.Field(f, iArr); arr != "" {
			for _, a := range strings.Split(arr, "|") {
				c, ok := textio.CommuneCode(a)
				if !ok {
					return tr.Errorf(iArr+1, "invalid arrondissement code %s", textio.Quote(a))
				}
				m.Arrondissements = append(m.Arrondissements, c)
			}
		}
		if err := fn(m); err != nil {
			return err
		}
	}
}

// ReadAll returns every member of the file, for small files.
func ReadAll(r io.Reader, name string) ([]Member, error) {
	var out []Member
	err := Read(r, name, func(m Member) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// String formats a member as one line, used by golden tests and debugging.
func (m Member) String() string {
	return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", m.Line, m.CPTS, m.Commune, m.Status, strings.Join(m.Arrondissements, "|"), m.InfraCommunal)
}
