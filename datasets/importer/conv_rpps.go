package importer

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/rpps"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// GPProfession is the profession code of the general practitioners' rows
// of the professionals table.
const GPProfession = "GP"

// rpps converts an Annuaire Santé extraction into three tables:
//
//   - professionals: per current commune and profession code, the people
//     practising there (each counted once per commune whatever their number
//     of sites) and how many of them have a libéral activity there, plus a
//     "GP" row for médecins with a general-practice savoir-faire;
//   - gp_rpps: the GPs as people, one row per (person, place) where they
//     practise as the DREES APL counts them — libéral, or salaried in a
//     centre de santé (secteur SA05); hospital-salaried and other salaried
//     activities are left out. Arrondissement codes are kept. A territory
//     counts distinct persons (diagnostic.CountGPPersons), so a GP with two
//     sites in it counts once;
//   - gp_bpe, the per-commune GP counts of the maps and of the indicators
//     that predate gp_rpps: in each commune, the distinct GPs of gp_rpps
//     with a site there (arrondissements folded into their city), so a GP
//     with sites in two communes counts in both; all GPs when the file has
//     no mode d'exercice.
//
// Sites' commune codes are mapped to today's communes before counting, so
// a person with sites in two communes merged since counts once. The file
// covers the départements of its lines with a known commune: the three
// tables replace those départements' rows only (see merge.go).
func (im *Importer) rpps(path, sfPath string) ([]table, []Result, error) {
	in, err := im.openRPPS(path, "rpps", rpps.KindActivity)
	if err != nil {
		return nil, nil, err
	}
	defer in.close(false)
	src := in.src
	rd, err := rpps.NewReader(in.text, in.name)
	if err != nil {
		return nil, nil, err
	}
	pc := newPeopleCounter(im.codes, src.size)
	files := []string{in.name}
	var sfNote string
	switch {
	case sfPath != "":
		sf, err := im.openRPPS(sfPath, "rpps savoir-faire", rpps.KindSavoirFaire)
		if err != nil {
			return nil, nil, err
		}
		err = pc.readSavoirFaire(sf.text, sf.name, sf.src.tick)
		sf.close(err == nil)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, sf.name)
	case rd.HasSavoirFaire():
	case in.companion != nil:
		// The archive's companion: the savoir-faire moved there in the
		// newest extractions.
		text, name, err := in.openMember(in.companion)
		if err != nil {
			return nil, nil, err
		}
		if err := pc.readSavoirFaire(text, name, src.tick); err != nil {
			return nil, nil, err
		}
		files = append(files, name)
		sfNote = fmt.Sprintf("savoir-faire read from %s in the archive", in.companion.Name)
	default:
		also := ""
		if in.member != nil {
			also = " (the zip archive holds none)"
		}
		return nil, nil, &parseerr.Error{File: in.name, Line: 1, Err: fmt.Errorf("no savoir-faire columns in this extraction: give the PS_LibreAcces_SavoirFaire file%s with --rpps-savoir-faire, GPs cannot be told apart without it", also)}
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
	in.close(true)
	t, noCommune, unknownLines := pc.tally, pc.noCommune, pc.unknownLines
	counts, noCommunePeople := pc.counts()

	date, dateNote, err := in.vintage(im)
	if err != nil {
		return nil, nil, err
	}
	year, _ := strconv.Atoi(date[:min(4, len(date))])
	pros := make([]snapshot.ProfessionalCount, 0, len(counts))
	gpOnly := modes == 0
	for _, c := range counts {
		c.Vintage = date
		pros = append(pros, *c)
	}
	sites := pc.gpSites(gpOnly, date)
	gps, gpTotal := pc.gpCounts(sites, year)
	cov := fileCoverage(pc.deps, "RPPS "+date, date)
	sort.Slice(pros, func(i, j int) bool {
		if pros[i].Code != pros[j].Code {
			return pros[i].Code < pros[j].Code
		}
		return pros[i].Profession < pros[j].Profession
	})

	res := Result{Table: "professionals", Read: lines, Rows: len(pros), Unmatched: unknownLines + noCommune,
		Vintage: "extraction RPPS du " + date}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read: %s per commune and profession (a \"GP\" row for general practitioners)",
			plural(lines, "activity line", "activity lines"), plural(len(pros), "row", "rows")),
		fmt.Sprintf("%s of merged communes and %s mapped to today's commune", plural(t.old, "old code", "old codes"), plural(t.arr, "arrondissement", "arrondissements")))
	for _, n := range []string{sfNote, dateNote} {
		if n != "" {
			res.Notes = append(res.Notes, n)
		}
	}
	if noCommune > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s without commune code (sites abroad or unknown: %s not counted in any commune)",
			plural(noCommune, "line", "lines"), plural(noCommunePeople, "person", "people")))
	}
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s with a commune code unknown to COG 2026 (not counted): %s", plural(unknownLines, "line", "lines"), t.examples(10)))
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
	proInfo.Coverage = cov
	gpTitle := "Médecins généralistes par commune : libéraux et salariés de centres de santé (Annuaire Santé RPPS, remplace la BPE 2017)"
	gpNote := "médecins généralistes ayant dans la commune une activité libérale ou salariée en centre de santé (secteur SA05), comptés une fois par commune : les généralistes que compte l'APL de la DREES ; salariés hospitaliers et autres salariés exclus"
	if gpOnly {
		gpTitle = "Médecins généralistes par commune (Annuaire Santé RPPS, remplace la BPE 2017)"
		gpNote = "fichier sans mode d'exercice : tous les médecins généralistes, libéraux ou non"
	}
	gpInfo := snapshot.TableInfo{Name: "gp_bpe", Title: gpTitle, Publisher: publisher, Source: source, Vintage: res.Vintage,
		Licence: licenceOuverte, Files: files, Rows: len(gps), Notes: append([]string{gpNote, "une commune compte les lieux d'exercice (un médecin exerçant dans deux communes compte dans chacune) ; pour un territoire, compter les personnes de gp_rpps"}, notes...), Coverage: cov}
	modeNote := "libéral, or salaried in a centre de santé (SA05); hospital and other salaried sites left out"
	if gpOnly {
		modeNote = "the file has no mode d'exercice: every GP site"
	}
	gpRes := Result{Table: "gp_bpe", Read: lines, Rows: len(gps), Unmatched: res.Unmatched, Vintage: res.Vintage,
		Notes: []string{fmt.Sprintf("gp_bpe replaced: %s (sites counted once per commune) in %s (%s)", plural(gpTotal, "GP-commune", "GP-communes"), plural(len(gps), "commune", "communes"), modeNote)}}
	persons := map[string]bool{}
	cds := 0
	for _, g := range sites {
		persons[g.Person] = true
		if g.Mode == snapshot.GPModeCDS {
			cds++
		}
	}
	siteInfo := snapshot.TableInfo{Name: "gp_rpps", Title: "Médecins généralistes et leurs lieux d'exercice (Annuaire Santé RPPS) : une ligne par personne et lieu",
		Publisher: publisher, Source: source, Vintage: res.Vintage, Licence: licenceOuverte, Files: files, Rows: len(sites),
		Notes: append([]string{
			"personne : Identification nationale PP ; lieu : code INSEE de la commune actuelle, ou de l'arrondissement municipal (751xx, 6938x, 132xx) tel que l'extraction le donne",
			"mode liberal : activité libérale au lieu ; cds : salarié d'un centre de santé (secteur SA05) ; salariés hospitaliers et autres salariés exclus, comme dans l'APL",
			"un territoire compte les personnes distinctes : un médecin exerçant sur deux sites du territoire compte une fois",
		}, notes...), Coverage: cov}
	siteRes := Result{Table: "gp_rpps", Read: lines, Rows: len(sites), Unmatched: res.Unmatched, Vintage: res.Vintage,
		Notes: []string{fmt.Sprintf("%s at %s (%s salaried in a centre de santé)", plural(len(persons), "GP", "GPs"), plural(len(sites), "site", "sites"), plural(cds, "site", "sites"))}}
	return []table{
		{info: proInfo, file: snapshot.ProfessionalsFile, rows: pros},
		{info: gpInfo, file: snapshot.GPFile, rows: gps},
		{info: siteInfo, file: snapshot.GPSitesFile, rows: sites},
	}, []Result{res, gpRes, siteRes}, nil
}

// readSavoirFaire marks the GPs of a PS_LibreAcces_SavoirFaire file:
// médecins (or lines without profession) with a general-practice
// savoir-faire.
func (pc *peopleCounter) readSavoirFaire(r io.Reader, name string, tick func() error) error {
	return rpps.ReadSavoirFaire(r, name, func(s *rpps.SavoirFaire) error {
		if err := tick(); err != nil {
			return err
		}
		if (s.Profession == rpps.Medecin || s.Profession == "") && rpps.IsGPSavoirFaire(s.Code) {
			pc.gps[rpps.PersonKey(s.NationalID, s.ID)] = struct{}{}
		}
		return nil
	})
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

	// GP sites: médecins' lines at a libéral or centre de santé activity,
	// kept until the end, when who is a GP is known.
	placeOf  map[string]uint32 // code as in the file → index in places
	placeIdx map[string]uint32 // place → index in places
	places   []string          // current commune, or the arrondissement the file names
	mdSites  []mdSite
	personID map[uint64]string // médecins' identifiers, for gp_rpps
	// deps are the départements of the lines with a known commune: the
	// coverage of the file.
	deps map[string]bool

	tally                   tally
	noCommune, unknownLines int
}

// An mdSite is a médecin's activity line the APL would count: the person,
// the place and the mode (modeLiberal < modeCDS < modeUnknown, so that a
// place with both a libéral and a salaried activity is libéral).
type mdSite struct {
	person uint64
	place  uint32
	mode   uint8
}

const (
	modeLiberal uint8 = iota + 1
	modeCDS
	modeUnknown // no mode d'exercice on the line
)

// siteMode is the mode of an activity line for the APL's count of GPs:
// libéral (L), salaried in a centre de santé (S, secteur SA05), unknown
// (no mode given), or 0 for activities the APL does not count (hospital or
// other salaried, bénévole).
func siteMode(a *rpps.Activity) uint8 {
	switch rpps.APLMode(a) {
	case rpps.APLLiberal:
		return modeLiberal
	case rpps.APLCentre:
		return modeCDS
	}
	if a.Mode == "" {
		return modeUnknown
	}
	return 0
}

func newPeopleCounter(codes *Codes, size int64) *peopleCounter {
	return &peopleCounter{codes: codes, communeOf: map[string]uint32{"": 0}, indexOf: map[string]uint32{"": 0}, communes: []string{""},
		profOf: map[string]uint16{}, gps: map[uint64]struct{}{},
		placeOf: map[string]uint32{}, placeIdx: map[string]uint32{}, personID: map[uint64]string{}, deps: map[string]bool{},
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
		if known {
			pc.deps[pc.codes.Dep(cur)] = true
			place := cur
			if kind == KindArrondissement {
				place = a.Commune
			}
			i, ok := pc.placeIdx[place]
			if !ok {
				i = uint32(len(pc.places))
				pc.placeIdx[place] = i
				pc.places = append(pc.places, place)
			}
			pc.placeOf[a.Commune] = i
		}
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
	if a.Profession == rpps.Medecin && c != 0 {
		if m := siteMode(a); m != 0 {
			if _, ok := pc.personID[person]; !ok {
				pc.personID[person] = strings.Clone(cmp.Or(a.NationalID, a.ID))
			}
			ms := mdSite{person, pc.placeOf[a.Commune], m}
			if n := len(pc.mdSites); n == 0 || pc.mdSites[n-1] != ms {
				pc.mdSites = append(pc.mdSites, ms)
			}
		}
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

// gpSites returns the GPs' places: one row per (GP, place), libéral when
// the GP has a libéral activity there, else cds. Lines without mode count
// only when the whole file has none (gpOnly), with Mode "".
func (pc *peopleCounter) gpSites(gpOnly bool, vintage string) []snapshot.GPSite {
	slices.SortFunc(pc.mdSites, func(a, b mdSite) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.place, b.place), cmp.Compare(a.mode, b.mode))
	})
	var out []snapshot.GPSite
	for i, m := range pc.mdSites {
		if i > 0 && pc.mdSites[i-1].person == m.person && pc.mdSites[i-1].place == m.place {
			continue // the sort put the preferred mode first
		}
		if _, gp := pc.gps[m.person]; !gp {
			continue
		}
		mode := ""
		switch m.mode {
		case modeLiberal:
			mode = snapshot.GPModeLiberal
		case modeCDS:
			mode = snapshot.GPModeCDS
		default:
			if !gpOnly {
				continue
			}
		}
		out = append(out, snapshot.GPSite{Person: pc.personID[m.person], Code: pc.places[m.place], Mode: mode, Vintage: vintage})
	}
	slices.SortFunc(out, func(a, b snapshot.GPSite) int {
		return cmp.Or(cmp.Compare(a.Person, b.Person), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// gpCounts counts, per current commune, the distinct GPs with a site
// there (arrondissements count for their city), and their sum.
func (pc *peopleCounter) gpCounts(sites []snapshot.GPSite, year int) ([]snapshot.GPCount, int) {
	seen := map[[2]string]bool{}
	n := map[string]int{}
	total := 0
	for _, g := range sites {
		cur, _, _ := pc.codes.Current(g.Code)
		if k := [2]string{g.Person, cur}; !seen[k] {
			seen[k] = true
			n[cur]++
			total++
		}
	}
	out := make([]snapshot.GPCount, 0, len(n))
	for code, c := range n {
		out = append(out, snapshot.GPCount{Code: code, Count: c, Vintage: year})
	}
	slices.SortFunc(out, func(a, b snapshot.GPCount) int { return cmp.Compare(a.Code, b.Code) })
	return out, total
}
