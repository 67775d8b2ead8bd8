package importer

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
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
	// The activity file is read in parallel chunks (rpps.ReadChunks), so
	// it is not read ahead: the chunk reader has its own reading goroutine.
	in, err := im.openRPPS(path, "rpps", rpps.KindActivity, false)
	if err != nil {
		return nil, nil, err
	}
	defer in.close(false)
	src := in.src
	rd, err := rpps.NewChunkReader(in.text, in.name)
	if err != nil {
		return nil, nil, err
	}
	pc := newPeopleCounter(im.codes, src.size)
	files := []string{in.name}
	var sfNote string
	switch {
	case sfPath != "":
		sf, err := im.openRPPS(sfPath, "rpps savoir-faire", rpps.KindSavoirFaire, true)
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
		text, name, err := in.openMember(in.companion, true)
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
	// Each worker holds a few MB (its block and chunk); past four, the
	// reading goroutine (read, hash, inflate) is the bottleneck anyway.
	workers := min(runtime.GOMAXPROCS(0), 4)
	err = rpps.ReadChunks(rd, workers, newRPPSChunk, (*rppsChunk).add, func(c *rppsChunk, _ int) error {
		if err := src.ticks(c.lines); err != nil {
			return err
		}
		lines += c.lines
		modes += c.modes
		pc.merge(c)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	in.close(true)
	t, noCommune, unknownLines := pc.tally, pc.noCommune, pc.unknownLines

	date, dateNote, err := in.vintage(im)
	if err != nil {
		return nil, nil, err
	}
	year, _ := strconv.Atoi(date[:min(4, len(date))])
	gpOnly := modes == 0
	// The counts and the GP sites sort different slices and only read the
	// rest: on two cores they run side by side.
	pc.sortGPs()
	var pros []snapshot.ProfessionalCount
	var noCommunePeople int
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		pros, noCommunePeople = pc.counts()
		sort.Slice(pros, func(i, j int) bool {
			if pros[i].Code != pros[j].Code {
				return pros[i].Code < pros[j].Code
			}
			return pros[i].Profession < pros[j].Profession
		})
	}()
	sites := pc.gpSites(gpOnly, date)
	gps, gpTotal := pc.gpCounts(sites, year)
	<-counted
	for i := range pros {
		pros[i].Vintage = date
	}
	cov := fileCoverage(pc.deps, "RPPS "+date, date)

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
	// sites are sorted by person: count the changes of person.
	persons, cds := 0, 0
	for i, g := range sites {
		if i == 0 || g.Person != sites[i-1].Person {
			persons++
		}
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
		Notes: []string{fmt.Sprintf("%s at %s (%s salaried in a centre de santé)", plural(persons, "GP", "GPs"), plural(len(sites), "site", "sites"), plural(cds, "site", "sites"))}}
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
			pc.addGP(rpps.PersonKey(s.NationalID, s.ID))
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
//
// The file is parsed in parallel chunks (rppsChunk); merge adds the chunks
// in file order, so what is counted, and the order in which codes are
// first seen (the examples of unknown codes), are those of a sequential
// reading.
type peopleCounter struct {
	codes *Codes
	// byKey maps the commune codes of the file (rpps.CommuneKey, and
	// rpps.NumCommuneKeys for "no commune") to their current commune and
	// GP place: a slice index instead of a map look-up per line.
	byKey    []communeEntry
	indexOf  map[string]uint32 // current code → index
	communes []string          // index → current code
	profOf   map[string]uint16
	profs    []string
	sites    []site
	// gps are the GPs' person keys, in no order until sortGPs.
	gps []uint64

	// GP sites: médecins' lines at a libéral or centre de santé activity,
	// kept until the end, when who is a GP is known.
	placeIdx map[string]uint32 // place → index in places
	places   []string          // current commune, or the arrondissement the file names
	mdSites  []mdSite
	// hashedID holds the identifiers of médecins whose person key is a
	// hash (not a digit string, whose key gives it back: personID).
	hashedID map[uint64]string
	// deps are the départements of the lines with a known commune: the
	// coverage of the file.
	deps map[string]bool

	tally                   tally
	noCommune, unknownLines int
	remap                   []uint32
	profRemap               []uint16
}

// A communeEntry is what a commune code of the file maps to.
type communeEntry struct {
	seen    bool
	commune uint32 // index into communes; 0 when unknown to the COG or empty
	place   uint32 // index into places, when commune is not 0
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
// other salaried, bénévole). It is rpps.APLMode on the line's bytes.
func siteMode(l *rpps.Line) uint8 {
	switch m := l.Mode(); {
	case string(m) == "L":
		return modeLiberal
	case string(m) == "S" && string(l.Sector()) == rpps.SectorCentreSante:
		return modeCDS
	case len(m) == 0:
		return modeUnknown
	}
	return 0
}

func newPeopleCounter(codes *Codes, size int64) *peopleCounter {
	pc := &peopleCounter{codes: codes, byKey: make([]communeEntry, rpps.NumCommuneKeys+1),
		indexOf: map[string]uint32{"": 0}, communes: []string{""},
		profOf: map[string]uint16{}, placeIdx: map[string]uint32{}, hashedID: map[uint64]string{}, deps: map[string]bool{},
		// Lines of the national file are about 500 bytes.
		sites: make([]site, 0, min(size/400, 4<<20))}
	// No commune: index 0, not counted in any commune.
	pc.byKey[rpps.NumCommuneKeys] = communeEntry{seen: true}
	return pc
}

// An rppsChunk is what a worker makes of a chunk of the activity file:
// the lines reduced to numbers, with communes and professions indexed
// within the chunk, for peopleCounter.merge to map to the file's indexes.
type rppsChunk struct {
	gen   uint32
	stamp []uint32 // per commune key: the gen of the chunk that last saw it
	local []uint32 // per commune key: its index in communes, when stamp is gen
	// communes are the commune keys of the chunk in order of first
	// appearance, and lineCount their numbers of lines.
	communes  []uint32
	lineCount []int
	profs     [][]byte // profession codes in order of first appearance (bytes of the chunk)
	sites     []site   // commune and prof are indexes into communes and profs
	md        []mdLine
	gps       []uint64
	ids       []idLine
	lines     int
	modes     int // lines with a mode d'exercice
}

// An mdLine is a médecin's line at a place the APL may count; commune is
// an index into rppsChunk.communes.
type mdLine struct {
	person  uint64
	commune uint32
	mode    uint8
}

// An idLine gives the identifier of a médecin whose key is a hash.
type idLine struct {
	person  uint64
	commune uint32
	id      string
}

func newRPPSChunk() *rppsChunk {
	return &rppsChunk{gen: 1, stamp: make([]uint32, rpps.NumCommuneKeys+1), local: make([]uint32, rpps.NumCommuneKeys+1)}
}

// add records one line; it runs in a worker and looks nothing up in a map.
func (c *rppsChunk) add(l *rpps.Line) error {
	c.lines++
	if len(l.Mode()) > 0 {
		c.modes++
	}
	person := l.PersonKey()
	if l.IsGP() {
		if n := len(c.gps); n == 0 || c.gps[n-1] != person {
			c.gps = append(c.gps, person)
		}
	}
	k := rpps.NumCommuneKeys
	if b := l.Commune(); len(b) > 0 {
		k = rpps.CommuneKey(b) // valid: the reader checked it
	}
	var ci uint32
	if c.stamp[k] == c.gen {
		ci = c.local[k]
	} else {
		ci = uint32(len(c.communes))
		c.stamp[k], c.local[k] = c.gen, ci
		c.communes = append(c.communes, uint32(k))
		c.lineCount = append(c.lineCount, 0)
	}
	c.lineCount[ci]++
	prof := l.Profession()
	p := -1
	for i := len(c.profs) - 1; i >= 0; i-- {
		if string(c.profs[i]) == string(prof) {
			p = i
			break
		}
	}
	if p < 0 {
		p = len(c.profs)
		c.profs = append(c.profs, prof)
	}
	if string(prof) == rpps.Medecin {
		if m := siteMode(l); m != 0 {
			c.md = append(c.md, mdLine{person, ci, m})
			if person>>63 == 1 {
				c.ids = append(c.ids, idLine{person, ci, l.Identity()})
			}
		}
	}
	c.sites = append(c.sites, site{person, ci, uint16(p), string(l.Mode()) == "L"})
	return nil
}

// reset readies the chunk for another one.
func (c *rppsChunk) reset() {
	c.gen++
	if c.gen == 0 { // wrapped: stamps of 2^32 chunks ago would match
		clear(c.stamp)
		c.gen = 1
	}
	c.communes, c.lineCount, c.profs = c.communes[:0], c.lineCount[:0], c.profs[:0]
	c.sites, c.md, c.gps, c.ids = c.sites[:0], c.md[:0], c.gps[:0], c.ids[:0]
	c.lines, c.modes = 0, 0
}

// entry returns what the commune code of key maps to, the first time
// resolving it against the COG as a sequential reading would at the first
// line naming it.
func (pc *peopleCounter) entry(key uint32) communeEntry {
	e := pc.byKey[key]
	if e.seen {
		return e
	}
	code := rpps.CommuneOfKey(int(key))
	cur, kind, known := pc.codes.Current(code)
	pc.tally.add(code, kind, known)
	e.seen = true
	if known {
		pc.deps[pc.codes.Dep(cur)] = true
		place := cur
		if kind == KindArrondissement {
			place = code
		}
		i, ok := pc.placeIdx[place]
		if !ok {
			i = uint32(len(pc.places))
			pc.placeIdx[place] = i
			pc.places = append(pc.places, place)
		}
		e.place = i
	}
	c, ok := pc.indexOf[cur]
	if !ok {
		c = uint32(len(pc.communes))
		pc.indexOf[cur] = c
		pc.communes = append(pc.communes, cur)
	}
	e.commune = c
	pc.byKey[key] = e
	return e
}

// merge adds a chunk, in file order, and resets it.
func (pc *peopleCounter) merge(c *rppsChunk) {
	pc.remap = pc.remap[:0]
	for i, k := range c.communes {
		e := pc.entry(k)
		pc.remap = append(pc.remap, k)
		if e.commune == 0 {
			if k == rpps.NumCommuneKeys {
				pc.noCommune += c.lineCount[i]
			} else {
				pc.unknownLines += c.lineCount[i]
			}
		}
	}
	pc.profRemap = pc.profRemap[:0]
	for _, b := range c.profs {
		p, ok := pc.profOf[string(b)]
		if !ok {
			p = uint16(len(pc.profs))
			pc.profOf[string(b)] = p
			pc.profs = append(pc.profs, string(b))
		}
		pc.profRemap = append(pc.profRemap, p)
	}
	for _, s := range c.sites {
		s.commune = pc.byKey[pc.remap[s.commune]].commune
		s.prof = pc.profRemap[s.prof]
		// A person's sites are consecutive lines, often in one commune:
		// drop the obvious repeats now, the sort handles the rest.
		if n := len(pc.sites); n > 0 && pc.sites[n-1] == s {
			continue
		}
		pc.sites = append(pc.sites, s)
	}
	for _, m := range c.md {
		e := pc.byKey[pc.remap[m.commune]]
		if e.commune == 0 {
			continue
		}
		ms := mdSite{m.person, e.place, m.mode}
		if n := len(pc.mdSites); n == 0 || pc.mdSites[n-1] != ms {
			pc.mdSites = append(pc.mdSites, ms)
		}
	}
	for _, id := range c.ids {
		if pc.byKey[pc.remap[id.commune]].commune == 0 {
			continue
		}
		if _, ok := pc.hashedID[id.person]; !ok {
			pc.hashedID[id.person] = id.id
		}
	}
	for _, g := range c.gps {
		pc.addGP(g)
	}
	c.reset()
}

func (pc *peopleCounter) addGP(person uint64) {
	if n := len(pc.gps); n == 0 || pc.gps[n-1] != person {
		pc.gps = append(pc.gps, person)
	}
}

// sortGPs sorts the GPs' keys once all are known, for gpWalk.
func (pc *peopleCounter) sortGPs() {
	slices.Sort(pc.gps)
	pc.gps = slices.Compact(pc.gps)
}

// A gpWalk tells whether persons, asked in increasing order, are GPs,
// walking the sorted keys instead of looking each up.
type gpWalk struct {
	gps []uint64
}

func (w *gpWalk) is(person uint64) bool {
	for len(w.gps) > 0 && w.gps[0] < person {
		w.gps = w.gps[1:]
	}
	return len(w.gps) > 0 && w.gps[0] == person
}

// personID returns the identifier a person key was made from.
func (pc *peopleCounter) personID(person uint64) string {
	if person>>63 == 1 {
		return pc.hashedID[person]
	}
	// A digit string: its length in the top byte, its value below.
	n := int(person >> 56)
	v := strconv.FormatUint(person&(1<<56-1), 10)
	if len(v) < n {
		v = strings.Repeat("0", n-len(v)) + v
	}
	return v
}

// counts returns the people per (commune, profession) — profession "GP"
// for general practitioners, who also count under "10" — and the number of
// people without a known commune.
func (pc *peopleCounter) counts() ([]snapshot.ProfessionalCount, int) {
	// The two halves of the sites are sorted side by side, then walked in
	// merged order: the sort is most of the time of the counts.
	bySite := func(a, b site) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.prof, b.prof), cmp.Compare(a.commune, b.commune))
	}
	h := len(pc.sites) / 2
	sorted := make(chan struct{})
	go func() {
		defer close(sorted)
		slices.SortFunc(pc.sites[:h], bySite)
	}()
	slices.SortFunc(pc.sites[h:], bySite)
	<-sorted
	gps := gpWalk{pc.gps}
	// People and libéraux per commune and profession, the "GP" column last.
	np := len(pc.profs) + 1
	type cell struct{ count, liberal int }
	cells := make([]cell, len(pc.communes)*np)
	medecin, hasMedecin := pc.profOf[rpps.Medecin]
	nowhere := 0
	// count counts a group: the sites of one person, profession and
	// commune, libéral when one of them is.
	count := func(g site, liberal bool) {
		if g.commune == 0 {
			nowhere++
			return
		}
		row := int(g.commune) * np
		for _, p := range []int{int(g.prof), np - 1} {
			if p == np-1 && !(hasMedecin && g.prof == medecin && gps.is(g.person)) {
				break
			}
			c := &cells[row+p]
			c.count++
			if liberal {
				c.liberal++
			}
		}
	}
	var g site
	liberal, started := false, false
	for a, b := pc.sites[:h], pc.sites[h:]; len(a) > 0 || len(b) > 0; {
		var x site
		if len(b) == 0 || len(a) > 0 && bySite(a[0], b[0]) <= 0 {
			x, a = a[0], a[1:]
		} else {
			x, b = b[0], b[1:]
		}
		if started && x.person == g.person && x.prof == g.prof && x.commune == g.commune {
			liberal = liberal || x.liberal
			continue
		}
		if started {
			count(g, liberal)
		}
		g, liberal, started = x, x.liberal, true
	}
	if started {
		count(g, liberal)
	}
	pc.sites = nil // 16 bytes a line: let them go
	rows := 0
	for _, c := range cells {
		if c.count > 0 {
			rows++
		}
	}
	out := make([]snapshot.ProfessionalCount, 0, rows)
	for ci, code := range pc.communes {
		for p := range np {
			c := cells[ci*np+p]
			if c.count == 0 {
				continue
			}
			prof := GPProfession
			if p < np-1 {
				prof = pc.profs[p]
			}
			out = append(out, snapshot.ProfessionalCount{Code: code, Profession: prof, Count: c.count, Liberal: c.liberal})
		}
	}
	return out, nowhere
}

// gpSites returns the GPs' places: one row per (GP, place), libéral when
// the GP has a libéral activity there, else cds. Lines without mode count
// only when the whole file has none (gpOnly), with Mode "". The GPs' keys
// must be sorted (sortGPs).
func (pc *peopleCounter) gpSites(gpOnly bool, vintage string) []snapshot.GPSite {
	slices.SortFunc(pc.mdSites, func(a, b mdSite) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.place, b.place), cmp.Compare(a.mode, b.mode))
	})
	// Two walks: count the rows, then make them in a slice of that size.
	walk := func(emit func(m mdSite, mode string)) {
		gps := gpWalk{pc.gps}
		for i, m := range pc.mdSites {
			if i > 0 && pc.mdSites[i-1].person == m.person && pc.mdSites[i-1].place == m.place {
				continue // the sort put the preferred mode first
			}
			if !gps.is(m.person) {
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
			emit(m, mode)
		}
	}
	rows := 0
	walk(func(mdSite, string) { rows++ })
	out := make([]snapshot.GPSite, 0, rows)
	var lastPerson uint64
	var id string
	walk(func(m mdSite, mode string) {
		if id == "" || m.person != lastPerson {
			lastPerson, id = m.person, pc.personID(m.person)
		}
		out = append(out, snapshot.GPSite{Person: id, Code: pc.places[m.place], Mode: mode, Vintage: vintage})
	})
	pc.mdSites = nil
	slices.SortFunc(out, func(a, b snapshot.GPSite) int {
		return cmp.Or(cmp.Compare(a.Person, b.Person), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// gpCounts counts, per current commune, the distinct GPs with a site
// there (arrondissements count for their city), and their sum. sites are
// sorted by person.
func (pc *peopleCounter) gpCounts(sites []snapshot.GPSite, year int) ([]snapshot.GPCount, int) {
	n := map[string]int{}
	total := 0
	var curs []string // the communes of one person
	for i, g := range sites {
		if i == 0 || g.Person != sites[i-1].Person {
			curs = curs[:0]
		}
		cur, _, _ := pc.codes.Current(g.Code)
		if !slices.Contains(curs, cur) {
			curs = append(curs, cur)
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
