package importer

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/rpps"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// GPProfession is the profession code of the general practitioners' rows
// of the professionals table.
const GPProfession = "GP"

// rpps converts an Annuaire Santé extraction into two tables:
//
//   - professionals: per current commune and profession code, the people
//     practising there (each counted once per commune whatever their number
//     of sites) and how many of them have a libéral activity there, plus a
//     "GP" row for médecins with a general-practice savoir-faire;
//   - gp_bpe, which the indicators read for GPs: the libéral GPs per
//     commune, the population the BPE it replaces counted (professionnels
//     libéraux); all GPs when the file has no mode d'exercice.
//
// Sites' commune codes are mapped to today's communes before counting, so
// a person with sites in two communes merged since counts once.
func (im *Importer) rpps(path, sfPath string) ([]table, []Result, error) {
	src, err := im.open(path, "rpps")
	if err != nil {
		return nil, nil, err
	}
	defer src.close(false)
	rd, err := rpps.NewReader(src.r, path)
	if err != nil {
		return nil, nil, err
	}
	if !rd.HasSavoirFaire() && sfPath == "" {
		return nil, nil, &parseerr.Error{File: path, Line: 1, Err: fmt.Errorf("no savoir-faire columns in this extraction: give the PS_LibreAcces_SavoirFaire file with --rpps-savoir-faire, GPs cannot be told apart without it")}
	}
	pc := newPeopleCounter(im.codes, src.size)
	if sfPath != "" {
		sf, err := im.open(sfPath, "rpps savoir-faire")
		if err != nil {
			return nil, nil, err
		}
		err = rpps.ReadSavoirFaire(sf.r, sfPath, func(s *rpps.SavoirFaire) error {
			if err := sf.tick(); err != nil {
				return err
			}
			if (s.Profession == rpps.Medecin || s.Profession == "") && rpps.IsGPSavoirFaire(s.Code) {
				pc.gps[rpps.PersonKey(s.NationalID, s.ID)] = struct{}{}
			}
			return nil
		})
		sf.close(err == nil)
		if err != nil {
			return nil, nil, err
		}
	}
	lines, modes := 0, 0
	var a rpps.Activity
	for {
		if err := rd.NextInto(&a); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, err
		}
		if err := src.tick(); err != nil {
			return nil, nil, err
		}
		lines++
		if a.Mode != "" {
			modes++
		}
		pc.add(&a)
	}
	src.close(true)
	t, noCommune, unknownLines := pc.tally, pc.noCommune, pc.unknownLines
	counts, noCommunePeople := pc.counts()

	date := dateFromName(path)
	if len(date) != 10 {
		date = modDate(path)
	}
	year, _ := strconv.Atoi(date[:min(4, len(date))])
	pros := make([]snapshot.ProfessionalCount, 0, len(counts))
	gpOnly := modes == 0
	var gps []snapshot.GPCount
	gpTotal := 0
	for _, c := range counts {
		c.Vintage = date
		pros = append(pros, *c)
		if c.Profession == GPProfession {
			n := c.Liberal
			if gpOnly {
				n = c.Count
			}
			if n > 0 {
				gps = append(gps, snapshot.GPCount{Code: c.Code, Count: n, Vintage: year})
				gpTotal += n
			}
		}
	}
	sort.Slice(pros, func(i, j int) bool {
		if pros[i].Code != pros[j].Code {
			return pros[i].Code < pros[j].Code
		}
		return pros[i].Profession < pros[j].Profession
	})
	sort.Slice(gps, func(i, j int) bool { return gps[i].Code < gps[j].Code })

	res := Result{Table: "professionals", Read: lines, Rows: len(pros), Unmatched: unknownLines + noCommune,
		Vintage: "extraction RPPS du " + date}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read: %s per commune and profession (a \"GP\" row for general practitioners)",
			plural(lines, "activity line", "activity lines"), plural(len(pros), "row", "rows")),
		fmt.Sprintf("%s of merged communes and %s mapped to today's commune", plural(t.old, "old code", "old codes"), plural(t.arr, "arrondissement", "arrondissements")))
	if noCommune > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s without commune code (sites abroad or unknown: %s not counted in any commune)",
			plural(noCommune, "line", "lines"), plural(noCommunePeople, "person", "people")))
	}
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s with a commune code unknown to COG 2026 (not counted): %s", plural(unknownLines, "line", "lines"), t.examples(10)))
	}
	files := []string{path}
	if sfPath != "" {
		files = append(files, sfPath)
	}
	publisher := "Agence du numérique en santé, Annuaire Santé (RPPS)"
	source := "annuaire.sante.fr, extraction PS_LibreAcces_Personne_activite importée"
	notes := []string{
		"une personne compte une fois par commune où elle a au moins un lieu d'exercice",
		"GP : médecins (profession 10) de savoir-faire SM54, SM53 ou SM26",
		fmt.Sprintf("anciens codes de communes ramenés à la commune actuelle : %d ; lignes non comptées, sans code commune : %d, de code inconnu : %d", t.old, noCommune, unknownLines),
	}
	proInfo := snapshot.TableInfo{Name: "professionals", Title: "Professionnels de santé par commune et profession (Annuaire Santé RPPS)",
		Publisher: publisher, Source: source, Vintage: res.Vintage, Licence: licenceOuverte, Files: files, Rows: len(pros), Notes: notes}
	gpTitle := "Médecins généralistes libéraux par commune (Annuaire Santé RPPS, remplace la BPE 2017)"
	gpNote := "médecins généralistes ayant une activité libérale dans la commune, comme la BPE qu'elle remplace"
	if gpOnly {
		gpTitle = "Médecins généralistes par commune (Annuaire Santé RPPS, remplace la BPE 2017)"
		gpNote = "fichier sans mode d'exercice : tous les médecins généralistes, libéraux ou non"
	}
	gpInfo := snapshot.TableInfo{Name: "gp_bpe", Title: gpTitle, Publisher: publisher, Source: source, Vintage: res.Vintage,
		Licence: licenceOuverte, Files: files, Rows: len(gps), Notes: append([]string{gpNote}, notes...)}
	gpRes := Result{Table: "gp_bpe", Read: lines, Rows: len(gps), Unmatched: res.Unmatched, Vintage: res.Vintage,
		Notes: []string{fmt.Sprintf("gp_bpe replaced: %s in %s (%s)", plural(gpTotal, "GP", "GPs"), plural(len(gps), "commune", "communes"),
			map[bool]string{true: "all GPs, the file has no mode d'exercice", false: "libéral GPs, as the BPE 2017 it replaces"}[gpOnly])}}
	return []table{
		{info: proInfo, file: snapshot.ProfessionalsFile, write: func(w io.Writer) (int, error) { return snapshot.WriteProfessionals(w, pros) }},
		{info: gpInfo, file: snapshot.GPFile, write: func(w io.Writer) (int, error) { return snapshot.WriteGPs(w, gps) }},
	}, []Result{res, gpRes}, nil
}

// A site is one activity line reduced to what counting needs: 16 bytes,
// so the 2 million lines of the national file take 32 MB.
type site struct {
	person  uint64
	commune uint32 // index into peopleCounter.communes; 0 is "no commune"
	prof    uint16
	liberal bool
}

// peopleCounter counts distinct people per (current commune, profession)
// and, in the same pass, those with a libéral activity there. It does what
// rpps.Aggregator does for one filter, for two at once: one pass over the
// file, one sort, instead of an aggregator per filter. Communes are mapped
// to today's before counting, so a person with sites in two communes
// merged since counts once.
type peopleCounter struct {
	codes     *Codes
	communeOf map[string]uint32 // code as in the file → index
	indexOf   map[string]uint32 // current code → index
	communes  []string          // index → current code
	profOf    map[string]uint16
	profs     []string
	sites     []site
	gps       map[uint64]struct{}

	tally                   tally
	noCommune, unknownLines int
}

func newPeopleCounter(codes *Codes, size int64) *peopleCounter {
	return &peopleCounter{codes: codes, communeOf: map[string]uint32{"": 0}, indexOf: map[string]uint32{"": 0}, communes: []string{""},
		profOf: map[string]uint16{}, gps: map[uint64]struct{}{},
		// Lines of the national file are about 500 bytes.
		sites: make([]site, 0, min(size/400, 4<<20))}
}

func (pc *peopleCounter) add(a *rpps.Activity) {
	person := rpps.PersonKey(a.NationalID, a.ID)
	if a.Profession == rpps.Medecin && rpps.IsGPSavoirFaire(a.SavoirFaire) {
		pc.gps[person] = struct{}{}
	}
	c, ok := pc.communeOf[a.Commune]
	if !ok {
		cur, kind, known := pc.codes.Current(a.Commune)
		pc.tally.add(a.Commune, kind, known)
		if c, ok = pc.indexOf[cur]; !ok {
			c = uint32(len(pc.communes))
			pc.indexOf[cur] = c
			pc.communes = append(pc.communes, cur)
		}
		pc.communeOf[a.Commune] = c
	}
	if c == 0 {
		if a.Commune == "" {
			pc.noCommune++
		} else {
			pc.unknownLines++
		}
	}
	p, ok := pc.profOf[a.Profession]
	if !ok {
		p = uint16(len(pc.profs))
		pc.profOf[a.Profession] = p
		pc.profs = append(pc.profs, a.Profession)
	}
	k := site{person, c, p, a.Mode == "L"}
	// A person's sites are consecutive lines, often in one commune: drop
	// the obvious repeats now, the sort handles the rest.
	if n := len(pc.sites); n > 0 && pc.sites[n-1] == k {
		return
	}
	pc.sites = append(pc.sites, k)
}

// counts returns the people per (commune, profession) — profession "GP"
// for general practitioners, who also count under "10" — and the number of
// people without a known commune.
func (pc *peopleCounter) counts() (map[[2]string]*snapshot.ProfessionalCount, int) {
	slices.SortFunc(pc.sites, func(a, b site) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.prof, b.prof), cmp.Compare(a.commune, b.commune))
	})
	out := map[[2]string]*snapshot.ProfessionalCount{}
	get := func(code, prof string) *snapshot.ProfessionalCount {
		k := [2]string{code, prof}
		if c := out[k]; c != nil {
			return c
		}
		c := &snapshot.ProfessionalCount{Code: code, Profession: prof}
		out[k] = c
		return c
	}
	nowhere := 0
	s := pc.sites
	for i := 0; i < len(s); {
		// s[i:j] are the sites of one person, profession and commune.
		j, liberal := i, false
		for j < len(s) && s[j].person == s[i].person && s[j].prof == s[i].prof && s[j].commune == s[i].commune {
			liberal = liberal || s[j].liberal
			j++
		}
		prof := pc.profs[s[i].prof]
		if s[i].commune == 0 {
			nowhere++
			i = j
			continue
		}
		_, gp := pc.gps[s[i].person]
		gp = gp && prof == rpps.Medecin
		code := pc.communes[s[i].commune]
		for _, p := range []string{prof, GPProfession} {
			if p == GPProfession && !gp {
				break
			}
			c := get(code, p)
			c.Count++
			if liberal {
				c.Liberal++
			}
		}
		i = j
	}
	return out, nowhere
}
