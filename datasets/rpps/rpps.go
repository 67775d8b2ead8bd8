// Package rpps reads the Annuaire Santé (RPPS) public extraction:
// PS_LibreAcces_Personne_activite_<timestamp>.txt, one line per
// professional and activity site, and its companion
// PS_LibreAcces_SavoirFaire_<timestamp>.txt, one line per professional and
// savoir-faire (specialty, qualification…), and counts professionals per
// commune.
//
// The files are `|`-separated with a header line and a trailing `|` on
// every line, no quoting, UTF-8 possibly with a BOM. Their header changed
// over the years (52 to 56 columns), so columns are matched by name
// ignoring case, accents, spaces and punctuation.
//
// The national activity file is about 1 GB and 2 million lines, so the
// reader is built for throughput: lines are read in place with
// bufio.Reader.ReadSlice, only the columns kept are cut out, and repeated
// values (professions, labels, communes, postcodes…) are interned, so a
// line costs no allocation once its values have been seen. ReadChunks
// (chunks.go) reads the same lines on several cores, without strings or
// interning, for the importer. Errors are
// *parseerr.Error values with Line the physical line and Column the
// 1-based field index.
package rpps

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// An Activity is one line of the activity file: a professional at one
// activity site. Fields absent from the file's vintage are empty.
type Activity struct {
	IDType           string // Type d'identifiant PP (8 RPPS, 0 ADELI)
	ID               string // Identifiant PP
	NationalID       string // Identification nationale PP (type + identifiant)
	Profession       string // Code profession (10 médecin, 60 infirmier…)
	ProfessionLabel  string // Libellé profession
	Category         string // Code catégorie professionnelle (C civil, M militaire, E étudiant)
	SavoirFaireType  string // Code type savoir-faire (S spécialité ordinale…)
	SavoirFaire      string // Code savoir-faire (SM54 médecine générale…)
	SavoirFaireLabel string // Libellé savoir-faire
	Mode             string // Code mode exercice (L libéral, S salarié, B bénévole)
	Sector           string // Code secteur d'activité (SA07 cabinet individuel…)
	FinessSite       string // Numéro FINESS site
	Postcode         string // Code postal (coord. structure)
	Commune          string // Code commune (coord. structure), INSEE code or empty
	CommuneLabel     string // Libellé commune (coord. structure)
	Line             int
}

// A SavoirFaire is one line of the companion file.
type SavoirFaire struct {
	IDType, ID, NationalID string
	Profession             string
	Type, Code, Label      string // Code type savoir-faire, Code savoir-faire, Libellé savoir-faire
	Line                   int
}

// Professions of DATA.md (Code profession).
const (
	Medecin            = "10"
	Pharmacien         = "21"
	ChirurgienDentiste = "40"
	SageFemme          = "50"
	Infirmier          = "60"
	MasseurKine        = "70"
	PedicurePodologue  = "80"
	Orthophoniste      = "91"
	Orthoptiste        = "92"
)

// IsGPSavoirFaire reports whether a savoir-faire code makes a médecin a
// general practitioner: SM54 (médecine générale), SM53 (spécialiste en
// médecine générale) or SM26 (qualifié en médecine générale).
func IsGPSavoirFaire(code string) bool {
	return code == "SM54" || code == "SM53" || code == "SM26"
}

// Modes of a GP's activity for the DREES APL (APLMode).
const (
	APLLiberal = "liberal" // libéral activity (mode L)
	APLCentre  = "cds"     // salaried in a centre de santé (mode S, secteur SA05)
)

// SectorCentreSante is the Code secteur d'activité of a centre de santé.
const SectorCentreSante = "SA05"

// APLMode says whether an activity line is one the DREES APL counts for a
// GP: APLLiberal for a libéral activity, APLCentre for a salaried one in a
// centre de santé, "" otherwise (hospital and other salaried activities,
// bénévoles, lines without mode).
func APLMode(a *Activity) string {
	switch {
	case a.Mode == "L":
		return APLLiberal
	case a.Mode == "S" && a.Sector == SectorCentreSante:
		return APLCentre
	}
	return ""
}

// field identifies a kept column.
type field int

const (
	fIDType field = iota
	fID
	fNationalID
	fProfession
	fProfessionLabel
	fCategory
	fSFType
	fSF
	fSFLabel
	fMode
	fSector
	fFiness
	fPostcode
	fCommune
	fCommuneLabel
	numFields
)

// aliases are normalised header names (textio.NormalizeName) per field.
var aliases = [numFields][]string{
	fIDType:          {"typedidentifiantpp", "typeidentifiantpp"},
	fID:              {"identifiantpp"},
	fNationalID:      {"identificationnationalepp"},
	fProfession:      {"codeprofession"},
	fProfessionLabel: {"libelleprofession"},
	fCategory:        {"codecategorieprofessionnelle"},
	fSFType:          {"codetypesavoirfaire"},
	fSF:              {"codesavoirfaire"},
	fSFLabel:         {"libellesavoirfaire"},
	fMode:            {"codemodeexercice"},
	fSector:          {"codesecteurdactivite"},
	fFiness:          {"numerofinesssite"},
	fPostcode:        {"codepostalcoordstructure", "codepostal"},
	fCommune:         {"codecommunecoordstructure", "codecommune"},
	fCommuneLabel:    {"libellecommunecoordstructure", "libellecommune"},
}

// titles name the columns in messages, as users see them in the file.
var titles = [numFields]string{
	fIDType: "Type d'identifiant PP", fID: "Identifiant PP", fNationalID: "Identification nationale PP",
	fProfession: "Code profession", fProfessionLabel: "Libellé profession", fCategory: "Code catégorie professionnelle",
	fSFType: "Code type savoir-faire", fSF: "Code savoir-faire", fSFLabel: "Libellé savoir-faire",
	fMode: "Code mode exercice", fSector: "Code secteur d'activité", fFiness: "Numéro FINESS site",
	fPostcode: "Code postal (coord. structure)", fCommune: "Code commune (coord. structure)",
	fCommuneLabel: "Libellé commune (coord. structure)",
}

// interner keeps one copy of each repeated value. It is bounded so that a
// column of unique values cannot grow it without limit.
type interner map[string]string

const maxInterned = 1 << 18

func (in interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in[string(b)]; ok { // no allocation: the compiler optimises string(b) in map lookups
		return s
	}
	s := toUTF8(b)
	if len(in) < maxInterned {
		in[string(b)] = s
	}
	return s
}

// toUTF8 keeps the reader total on files re-saved as Windows-1252: only
// values not yet interned are checked, so the cost is negligible.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(textio.Decode1252(nil, b))
}

// table is the column machinery shared by the activity and savoir-faire
// readers.
type table struct {
	tr      *textio.Reader
	name    string
	width   int // number of named columns
	col     [numFields]int
	maxCol  int
	kept    []field // field kept at each column index up to maxCol, or -1
	intern  [numFields]interner
	cells   [numFields][]byte
	last    [numFields][]byte // previous value of per-person columns
	lastStr [numFields]string
}

func newTable(r io.Reader, name string, required ...field) (*table, error) {
	t := &table{tr: textio.NewReader(r, name, '|'), name: name}
	line, err := t.tr.ReadLine()
	for err == nil && len(line) == 0 {
		line, err = t.tr.ReadLine()
	}
	if err == io.EOF {
		return nil, t.tr.Errorf(0, "%w", textio.ErrNoHeader)
	}
	if err != nil {
		return nil, err
	}
	names := strings.Split(toUTF8(line), "|")
	if n := len(names); n > 1 && strings.TrimSpace(names[n-1]) == "" {
		names = names[:n-1] // the trailing '|'
	}
	t.width = len(names)
	h := textio.NewHeader(names)
	t.maxCol = -1
	for f := range numFields {
		t.col[f] = h.Index(aliases[f]...)
		t.maxCol = max(t.maxCol, t.col[f])
		t.intern[f] = make(interner)
	}
	t.kept = make([]field, t.maxCol+1)
	for i := range t.kept {
		t.kept[i] = -1
	}
	for f := range numFields {
		if t.col[f] >= 0 {
			t.kept[t.col[f]] = f
		}
	}
	// Every caller requires fNationalID; Identifiant PP alone will do.
	for _, f := range required {
		if t.col[f] < 0 {
			if f == fNationalID && t.col[fID] >= 0 {
				continue // either identifier will do
			}
			return nil, t.tr.Errorf(0, "missing column %q in header (is this a PS_LibreAcces file?)", titles[f])
		}
	}
	return t, nil
}

// next reads the next data line into t.cells. Blank lines are skipped.
func (t *table) next() error {
	var line []byte
	var err error
	for {
		line, err = t.tr.ReadLine()
		if err != nil {
			return err
		}
		if len(line) > 0 {
			break
		}
	}
	if col, err := t.cut(line, &t.cells); err != nil {
		return t.tr.Errorf(col, "%w", err)
	}
	return nil
}

// cut checks the number of fields of a data line and cuts out the kept
// columns into cells, trimmed. On error it returns the 1-based column (0
// for the whole line) and the message. It only reads the table's column
// layout, so the workers of ReadChunks share one table.
func (t *table) cut(line []byte, cells *[numFields][]byte) (int, error) {
	// Counting separators is vectorised and far cheaper than splitting all
	// 56 fields; only the kept columns are cut out below.
	n := bytes.Count(line, []byte{'|'}) + 1
	switch {
	case n == t.width:
	case n == t.width+1 && line[len(line)-1] == '|':
	case n < t.width:
		return 0, fmt.Errorf("%d fields, the header has %d (truncated line?)", n, t.width)
	default:
		return t.width + 1, fmt.Errorf("%d fields, the header has %d ('|' inside a value?)", n, t.width)
	}
	*cells = [numFields][]byte{}
	rest := line
	for i := 0; i <= t.maxCol; i++ {
		j := bytes.IndexByte(rest, '|')
		var cell []byte
		if j < 0 {
			cell, rest = rest, nil
		} else {
			cell, rest = rest[:j], rest[j+1:]
		}
		if f := t.kept[i]; f >= 0 {
			cells[f] = bytes.TrimSpace(cell)
		}
	}
	return 0, nil
}

// str returns the interned value of a column.
func (t *table) str(f field) string { return t.intern[f].get(t.cells[f]) }

// person returns per-person values (identifiers), reusing the previous
// line's string when the person has not changed: a professional's lines
// are consecutive, so this allocates once per person, not per line.
func (t *table) person(f field) string {
	b := t.cells[f]
	if len(b) == 0 {
		return ""
	}
	if t.lastStr[f] != "" && bytes.Equal(b, t.last[f]) {
		return t.lastStr[f]
	}
	t.last[f] = append(t.last[f][:0], b...)
	t.lastStr[f] = toUTF8(b)
	return t.lastStr[f]
}

// suffixOrPerson returns column f, sharing the memory of whole when the
// value is its suffix: Identification nationale PP is the identifier type
// followed by Identifiant PP, so the identifier costs no allocation.
func (t *table) suffixOrPerson(f field, whole string) string {
	b := t.cells[f]
	if len(b) > 0 && len(b) <= len(whole) && whole[len(whole)-len(b):] == string(b) {
		return whole[len(whole)-len(b):]
	}
	return t.person(f)
}

func (t *table) checkID() error {
	if len(t.cells[fNationalID]) == 0 && len(t.cells[fID]) == 0 {
		c := t.col[fNationalID]
		if c < 0 {
			c = t.col[fID]
		}
		return t.tr.Errorf(c+1, "empty identifier (%s)", titles[fNationalID])
	}
	return nil
}

// A Reader reads the activity file line by line.
type Reader struct {
	t *table
}

// NewReader reads the header of an activity file and returns a Reader
// positioned on the first data line. The file must have an identifier, the
// profession and the commune columns.
func NewReader(r io.Reader, name string) (*Reader, error) {
	t, err := newTable(r, name, fNationalID, fProfession, fCommune)
	if err != nil {
		return nil, err
	}
	return &Reader{t: t}, nil
}

// HasSavoirFaire reports whether the activity file carries the
// savoir-faire columns. The newest extractions moved them to the
// PS_LibreAcces_SavoirFaire companion file.
func (r *Reader) HasSavoirFaire() bool { return r.t.col[fSF] >= 0 }

// NextInto fills a caller-owned Activity with the next line of the file
// (no copy of the struct in tight loops), or returns io.EOF at its end.
func (r *Reader) NextInto(a *Activity) error {
	t := r.t
	if err := t.next(); err != nil {
		return err
	}
	if err := t.checkID(); err != nil {
		return err
	}
	*a = Activity{
		IDType:           t.str(fIDType),
		NationalID:       t.person(fNationalID),
		Profession:       t.str(fProfession),
		ProfessionLabel:  t.str(fProfessionLabel),
		Category:         t.str(fCategory),
		SavoirFaireType:  t.str(fSFType),
		SavoirFaire:      t.str(fSF),
		SavoirFaireLabel: t.str(fSFLabel),
		Mode:             t.str(fMode),
		Sector:           t.str(fSector),
		FinessSite:       t.str(fFiness),
		Postcode:         t.str(fPostcode),
		Commune:          t.str(fCommune),
		CommuneLabel:     t.str(fCommuneLabel),
		Line:             t.tr.Line(),
	}
	a.ID = t.suffixOrPerson(fID, a.NationalID)
	if a.Profession == "" {
		return t.tr.Errorf(t.col[fProfession]+1, "empty %s", titles[fProfession])
	}
	if a.Commune != "" {
		if c, ok := textio.CommuneCode(a.Commune); !ok || c != a.Commune {
			return t.tr.Errorf(t.col[fCommune]+1, "invalid commune code %s", textio.Quote(a.Commune))
		}
	}
	return nil
}

// Read calls fn for every activity of the file. The Activity is reused
// between calls: copy it to keep it.
func Read(r io.Reader, name string, fn func(*Activity) error) error {
	rd, err := NewReader(r, name)
	if err != nil {
		return err
	}
	var a Activity
	for {
		if err := rd.NextInto(&a); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := fn(&a); err != nil {
			return err
		}
	}
}

// ReadSavoirFaire calls fn for every line of a PS_LibreAcces_SavoirFaire
// file. The value is reused between calls.
func ReadSavoirFaire(r io.Reader, name string, fn func(*SavoirFaire) error) error {
	t, err := newTable(r, name, fNationalID, fSF)
	if err != nil {
		return err
	}
	var s SavoirFaire
	for {
		if err := t.next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := t.checkID(); err != nil {
			return err
		}
		s = SavoirFaire{
			IDType: t.str(fIDType), NationalID: t.person(fNationalID),
			Profession: t.str(fProfession), Type: t.str(fSFType), Code: t.str(fSF), Label: t.str(fSFLabel),
			Line: t.tr.Line(),
		}
		s.ID = t.suffixOrPerson(fID, s.NationalID)
		if err := fn(&s); err != nil {
			return err
		}
	}
}
