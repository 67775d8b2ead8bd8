package snapshot

import (
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/diagsante/diagsante/datasets/jsonsplit"
)

//go:generate go run ../internal/generate -raw ../../../shared/data/raw -out data

//go:embed data
var embedded embed.FS

// Embedded returns the file system of the default snapshot built into the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return embeddedFS{sub}
}

// Table file names, shared by the generator and the loader.
const (
	ManifestFile        = "manifest.json"
	CommunesFile        = "communes.tsv.gz"
	ArrondissementsFile = "arrondissements.tsv.gz"
	OldCodesFile        = "oldcodes.tsv.gz"
	EPCIFile            = "epci.tsv.gz"
	DepartementsFile    = "departements.tsv.gz"
	RegionsFile         = "regions.tsv.gz"
	APLFile             = "apl.tsv.gz"
	GPFile              = "gp_bpe.tsv.gz"
	LiberalFile         = "liberaux.tsv.gz"
	EstablishmentsFile  = "establishments.tsv.gz"
	EmergencyFile       = "urgences.tsv.gz"
	MaternityFile       = "maternites.tsv.gz"
	CPTSFile            = "cpts.tsv.gz"
	PopAgeFile          = "popage.tsv.gz"
	ProfessionalsFile   = "professionals.tsv.gz"
	SASFile             = "sas.tsv.gz"
	PostcodesFile       = "postcodes.tsv.gz"
	GPSitesFile         = "gp_rpps.tsv.gz"
	ContoursDir         = "contours"
)

// ReportFiles are the tables the report commands read: every table but the
// postcodes, which only imports use (to place establishments). A command
// loads them with LoadWithLocalOnly and skips decoding 480 kB of postcodes.
func ReportFiles() []string {
	var out []string
	for _, l := range (&Snapshot{}).loaders() {
		if l.file != PostcodesFile {
			out = append(out, l.file)
		}
	}
	return out
}

// A Snapshot is the loaded reference data with its lookup indexes. It is
// read-only once loaded and safe for concurrent use.
type Snapshot struct {
	Manifest Manifest
	// LocalProblems says what is wrong with the local snapshot loaded
	// over the embedded one (LoadWithLocal): a table its manifest says was
	// imported whose file is gone. That table is the embedded one; every
	// command should warn, and `datasets verify` fails.
	LocalProblems   []string
	Communes        []Commune // sorted by code
	Arrondissements []Arrondissement
	OldCodes        []OldCode
	EPCIs           []EPCI
	Departements    []Departement
	Regions         []Region
	APL             []APL
	GPs             []GPCount
	Liberal         []LiberalCount
	Establishments  []Establishment
	Emergency       []EmergencyDept
	Maternities     []Maternity
	CPTS            []CPTSMember
	PopAge          []PopAge
	// Professionals are per-commune counts from an imported RPPS extraction
	// (empty in the embedded snapshot).
	Professionals []ProfessionalCount
	// GPSites are the places of the GPs of an imported RPPS extraction, one
	// row per person and place (empty in the embedded snapshot): count
	// distinct persons for a territory, sites for a map.
	GPSites []GPSite
	// SAS is the service d'accès aux soins status per département where an
	// ARS stated it (Île-de-France, end of 2021); optional on load.
	SAS []SAS
	// Postcodes are the communes of each postcode (La Poste and COG), for
	// placing establishments; optional on load.
	Postcodes []Postcode

	fsys    fs.FS
	commune codeIndex // code -> index in Communes
	// arrPlaces are the arrondissements municipaux as places (see Place),
	// arrOf maps a code to its index there, arrsOf a city to its
	// arrondissements' codes, sorted.
	arrPlaces  []Commune
	arrOf      map[string]int
	arrsOf     map[string][]string
	arrCity    []string // city of arrPlaces[i]
	oldCode    map[string]int
	epci       map[string]int
	dep        map[string]int
	reg        map[string]int
	contourMu  sync.Mutex
	contourDep map[string]map[string]json.RawMessage

	// manifestSums are the sha256 of the manifests of the layers, bottom
	// first; sums the gzip trailers (CRC-32 and size) of the table files
	// read, "absent" for an optional table that is not there. Fingerprint
	// is made of them.
	manifestSums []string
	sumMu        sync.Mutex
	sums         map[string]string

	// ahead waits for the tables LoadLayersAhead decodes meanwhile.
	ahead func() error

	// The last CodesDesignating, for its codes.
	desMu    sync.Mutex
	desCodes []string
	des      map[string]bool
}

// Load reads a snapshot from a file system holding the table files (the
// embedded one, or a local snapshot folder).
func Load(fsys fs.FS) (*Snapshot, error) { return LoadLayers(fsys) }

// LoadLayers reads a snapshot made of layers, the first taking precedence:
// each table comes from the first layer that has its file, and the manifest
// is the bottom layer's with the upper layers' table descriptions replacing
// those of the same name. `datasets import` writes a local layer holding only
// the tables it imported, over the embedded snapshot.
func LoadLayers(layers ...fs.FS) (*Snapshot, error) { return loadLayers(nil, layers) }

// LoadLayersOnly is LoadLayers decoding only the tables whose files are
// named (CommunesFile, APLFile…): the slices of the others stay empty. A
// command that reads a few tables (`territory show`) does not pay for
// decoding the rest.
func LoadLayersOnly(files []string, layers ...fs.FS) (*Snapshot, error) {
	only := map[string]bool{}
	for _, f := range files {
		only[f] = true
	}
	return loadLayers(only, layers)
}

// LoadLayersAhead is LoadLayersOnly(files) that also starts decoding the
// tables of ahead, on other goroutines, while it decodes those of files
// and indexes the snapshot: a command resolving its territory from the
// geography tables has the others read meanwhile, from the start. It
// returns once the tables of files are decoded; nothing may read the
// tables of ahead before Ahead returns. The geography tables cannot be
// ahead (see LoadMore).
func LoadLayersAhead(files, ahead []string, layers ...fs.FS) (*Snapshot, error) {
	only := map[string]bool{}
	for _, f := range files {
		only[f] = true
	}
	for _, f := range ahead {
		if geographyFiles[f] {
			return nil, fmt.Errorf("snapshot: %s is loaded with the snapshot, not ahead", f)
		}
		if only[f] {
			return nil, fmt.Errorf("snapshot: %s is both loaded and loaded ahead", f)
		}
	}
	return loadLayersAhead(only, ahead, layers)
}

// Ahead waits for the tables a LoadLayersAhead started decoding, and
// reports what went wrong with them; it returns nil at once for a
// snapshot loaded otherwise.
func (s *Snapshot) Ahead() error {
	if s.ahead == nil {
		return nil
	}
	return s.ahead()
}

// loaders are the snapshot's tables: each file with what decodes it into s.
func (s *Snapshot) loaders() []tableLoader {
	return []tableLoader{
		{CommunesFile, s.loadCommunes},
		{ArrondissementsFile, s.loadArrondissements},
		{OldCodesFile, s.loadOldCodes},
		{EPCIFile, s.loadEPCI},
		{DepartementsFile, s.loadDepartements},
		{RegionsFile, s.loadRegions},
		{APLFile, s.loadAPL},
		{GPFile, s.loadGPs},
		{LiberalFile, s.loadLiberal},
		{EstablishmentsFile, s.loadEstablishments},
		{EmergencyFile, s.loadEmergency},
		{MaternityFile, s.loadMaternities},
		{CPTSFile, s.loadCPTS},
		{PopAgeFile, s.loadPopAge},
		{ProfessionalsFile, s.loadProfessionals},
		{GPSitesFile, s.loadGPSites},
		{SASFile, s.loadSAS},
		{PostcodesFile, s.loadPostcodes},
	}
}

// loadLayers reads the tables of the layers, those of only when it is not
// nil.
func loadLayers(only map[string]bool, layers []fs.FS) (*Snapshot, error) {
	return loadLayersAhead(only, nil, layers)
}

// loadLayersAhead is loadLayers that starts decoding the tables of ahead
// first, on other goroutines (LoadLayersAhead).
func loadLayersAhead(only map[string]bool, ahead []string, layers []fs.FS) (*Snapshot, error) {
	s, err := loadManifest(layers)
	if err != nil {
		return nil, err
	}
	if len(ahead) > 0 {
		done := make(chan error, 1)
		go func() { done <- s.LoadMore(ahead...) }()
		s.ahead = sync.OnceValue(func() error { return <-done })
	}
	loaders := s.loaders()
	if only != nil {
		loaders = slices.DeleteFunc(loaders, func(l tableLoader) bool { return !only[l.file] })
	}
	if err := s.loadTables(loaders); err != nil {
		return nil, err
	}
	s.index()
	return s, nil
}

// geographyFiles are the tables the snapshot's indexes are built from
// (index): they are loaded with the snapshot, never by LoadMore.
var geographyFiles = map[string]bool{CommunesFile: true, ArrondissementsFile: true, OldCodesFile: true,
	EPCIFile: true, DepartementsFile: true, RegionsFile: true}

// LoadMore decodes more tables into a snapshot loaded with some only
// (LoadLayersOnly), from the same layers: a command resolves its territory
// from the geography tables while the others are read. The geography
// tables cannot be loaded this way, and nothing may read the tables it
// loads before it returns (the others can be read meanwhile).
func (s *Snapshot) LoadMore(files ...string) error {
	want := map[string]bool{}
	for _, f := range files {
		if geographyFiles[f] {
			return fmt.Errorf("snapshot: %s is loaded with the snapshot, not later", f)
		}
		want[f] = true
	}
	loaders := slices.DeleteFunc(s.loaders(), func(l tableLoader) bool { return !want[l.file] })
	if len(loaders) != len(want) {
		return fmt.Errorf("snapshot: LoadMore: unknown table in %v", files)
	}
	return s.loadTables(loaders)
}

// LoadManifestLayers reads the manifest of a snapshot made of layers as
// LoadLayers does, with the départements and régions (a hundred rows, to
// name areas) and no other table: the Snapshot it returns holds Manifest,
// Departements and Regions only, for `version`, which lists the sources
// and their dates without paying for decoding every commune.
func LoadManifestLayers(layers ...fs.FS) (*Snapshot, error) {
	return LoadLayersOnly([]string{DepartementsFile, RegionsFile}, layers...)
}

// loadManifest starts a snapshot made of layers with its manifest: the
// bottom layer's, with the upper layers' table descriptions replacing
// those of the same name.
func loadManifest(layers []fs.FS) (*Snapshot, error) {
	if len(layers) == 0 {
		return nil, errors.New("snapshot: no layer")
	}
	s := &Snapshot{fsys: overlay(layers)}
	for i := len(layers) - 1; i >= 0; i-- {
		mb, err := fs.ReadFile(layers[i], ManifestFile)
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		s.manifestSums = append(s.manifestSums, fmt.Sprintf("%x", sha256.Sum256(mb)))
		var m Manifest
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("snapshot: %s: %w", ManifestFile, err)
		}
		if i == len(layers)-1 {
			s.Manifest = m
			continue
		}
		for _, t := range m.Tables {
			if old := s.Manifest.Table(t.Name); old != nil {
				*old = t
			} else {
				s.Manifest.Tables = append(s.Manifest.Tables, t)
			}
		}
		for k, v := range m.Inputs {
			if s.Manifest.Inputs == nil {
				s.Manifest.Inputs = map[string]string{}
			}
			s.Manifest.Inputs[k] = v
		}
	}
	return s, nil
}

// A tableLoader decodes one table file into the snapshot.
type tableLoader struct {
	file string
	load func(*tableReader)
}

// loadTables decodes table files from the snapshot's layers.
func (s *Snapshot) loadTables(loaders []tableLoader) error {
	// Tables are independent: decode them in parallel to keep start-up short.
	errs := make([]error, len(loaders))
	var wg sync.WaitGroup
	for i, l := range loaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.openTable(l.file)
			if errors.Is(err, fs.ErrNotExist) && optional[l.file] {
				return
			}
			if err != nil {
				errs[i] = fmt.Errorf("snapshot: %w", err)
				return
			}
			l.load(r)
			if r.err != nil {
				errs[i] = fmt.Errorf("snapshot: %w", r.err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// openTable opens a table file for reading and records its sum for
// Fingerprint. The file is streamed into the gzip reader, not read whole
// first: the embedded tables are 15 MB.
func (s *Snapshot) openTable(file string) (*tableReader, error) {
	f, err := s.fsys.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && optional[file] {
			s.setSum(file, "absent")
		}
		return nil, err
	}
	defer f.Close()
	if in, ok := f.(interface{ Contents() string }); ok {
		gz := in.Contents()
		s.setSum(file, trailerSum([]byte(gz[max(len(gz)-8, 0):])))
		if segs, _, ok := storedSegments(gz); ok {
			return newTableReaderSegments(file, segs)
		}
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		s.setSum(file, trailerSum(b))
		return newTableReader(file, b)
	}
	// The gzip trailer: CRC-32 and size of the uncompressed table.
	var trailer [8]byte
	if _, err := rs.Seek(-8, io.SeekEnd); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if _, err := io.ReadFull(rs, trailer[:]); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s.setSum(file, trailerSum(trailer[:]))
	return newTableReaderFrom(file, rs, int(binary.LittleEndian.Uint32(trailer[4:])))
}

// trailerSum is the sum Fingerprint records for a gzip file's bytes (or
// its last 8): its trailer.
func trailerSum(b []byte) string {
	if len(b) < 8 {
		return fmt.Sprintf("short %x", b)
	}
	return fmt.Sprintf("%x", b[len(b)-8:])
}

func (s *Snapshot) setSum(file, sum string) {
	s.sumMu.Lock()
	defer s.sumMu.Unlock()
	if s.sums == nil {
		s.sums = map[string]string{}
	}
	s.sums[file] = sum
}

// Fingerprint identifies the data a snapshot was loaded from: the
// manifests of its layers, and the CRC-32 and size of every table the
// report commands read (ReportFiles), or their absence. Values derived
// from the tables and stored beside the program (the comparison levels'
// figures) are valid for a snapshot of the same fingerprint only: a local
// import changes the manifest and its tables. It is "" when one of those
// tables was not read (a command that loads a few), so nothing matches.
func (s *Snapshot) Fingerprint() string {
	s.sumMu.Lock()
	defer s.sumMu.Unlock()
	h := sha256.New()
	for _, m := range s.manifestSums {
		fmt.Fprintf(h, "%s %s\n", ManifestFile, m)
	}
	for _, f := range ReportFiles() {
		sum, ok := s.sums[f]
		if !ok {
			return ""
		}
		fmt.Fprintf(h, "%s %s\n", f, sum)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// LoadEmbedded loads the default snapshot built into the binary.
func LoadEmbedded() (*Snapshot, error) { return Load(Embedded()) }

func (s *Snapshot) index() {
	if !slices.IsSortedFunc(s.Communes, func(a, b Commune) int { return cmp.Compare(a.Code, b.Code) }) {
		sort.Slice(s.Communes, func(i, j int) bool { return s.Communes[i].Code < s.Communes[j].Code })
	}
	s.commune = newCodeIndex(len(s.Communes))
	for i, c := range s.Communes {
		s.commune.set(c.Code, i)
	}
	s.indexArrondissements()
	s.oldCode = make(map[string]int, len(s.OldCodes))
	for i, o := range s.OldCodes {
		s.oldCode[o.Code] = i
	}
	s.epci = make(map[string]int, len(s.EPCIs))
	for i, e := range s.EPCIs {
		s.epci[e.Siren] = i
	}
	s.dep = make(map[string]int, len(s.Departements))
	for i, d := range s.Departements {
		s.dep[d.Code] = i
	}
	s.reg = make(map[string]int, len(s.Regions))
	for i, r := range s.Regions {
		s.reg[r.Code] = i
	}
}

// CommuneIndex returns the look-up of the current communes' indexes
// (into Communes) by code of a loaded snapshot, for a caller that needs
// the indexes rather than the communes (the territory resolver); nil for
// a snapshot not loaded (a literal one).
func (s *Snapshot) CommuneIndex() func(code string) (int, bool) {
	if s.commune.slot == nil {
		return nil
	}
	return s.commune.get
}

// Commune returns the current commune with this code, or nil.
func (s *Snapshot) Commune(code string) *Commune {
	if i, ok := s.commune.get(code); ok {
		return &s.Communes[i]
	}
	return nil
}

// A codeIndex finds communes by INSEE code without hashing it (35,000
// map inserts were a tenth of `territory show`): a code of five
// characters among 0–9, A and B (2A and 2B are Corsica's départements) is
// a number in base 12, the place of a slot holding the commune's index
// plus one (0: no commune). Codes of another shape, which the snapshot's
// tables do not hold, are kept in a map.
type codeIndex struct {
	slot  []int32
	other map[string]int
}

// codeSlots is the number of five-character base-12 codes.
const codeSlots = 12 * 12 * 12 * 12 * 12

// newCodeIndex makes the index of n communes: none for no commune (a
// snapshot loaded for its manifest).
func newCodeIndex(n int) codeIndex {
	if n == 0 {
		return codeIndex{}
	}
	return codeIndex{slot: make([]int32, codeSlots), other: map[string]int{}}
}

// codeNumber returns the base-12 number of a code of five characters
// among 0–9, A and B.
func codeNumber(code string) (int, bool) {
	if len(code) != 5 {
		return 0, false
	}
	n := 0
	for i := range 5 {
		var d int
		switch c := code[i]; {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c == 'A':
			d = 10
		case c == 'B':
			d = 11
		default:
			return 0, false
		}
		n = n*12 + d
	}
	return n, true
}

func (x *codeIndex) set(code string, i int) {
	if n, ok := codeNumber(code); ok {
		x.slot[n] = int32(i + 1)
		return
	}
	x.other[code] = i
}

func (x *codeIndex) get(code string) (int, bool) {
	if n, ok := codeNumber(code); ok {
		if x.slot == nil || x.slot[n] == 0 {
			return 0, false
		}
		return int(x.slot[n] - 1), true
	}
	i, ok := x.other[code]
	return i, ok
}

// indexArrondissements makes each arrondissement municipal of Paris, Lyon
// and Marseille a place of its own: the DREES publishes the APL by
// arrondissement, CPTS perimeters and FINESS addresses name them, so a
// figure of the city is the roll-up of its arrondissements, never an average
// taken first.
func (s *Snapshot) indexArrondissements() {
	s.arrPlaces = make([]Commune, 0, len(s.Arrondissements))
	s.arrOf = make(map[string]int, len(s.Arrondissements))
	s.arrCity = make([]string, 0, len(s.Arrondissements))
	s.arrsOf = map[string][]string{}
	for _, a := range s.Arrondissements {
		city := s.Commune(a.Commune)
		if city == nil {
			continue
		}
		p := Commune{Code: a.Code, Name: a.Name, Dep: city.Dep, Reg: city.Reg, EPCI: city.EPCI, Population: a.Population, HasPop: true,
			Lat: a.Lat, Lon: a.Lon, PointSource: "arrondissement"}
		if a.Lat == 0 && a.Lon == 0 {
			p.Lat, p.Lon, p.PointSource = city.Lat, city.Lon, city.PointSource
		}
		s.arrOf[a.Code] = len(s.arrPlaces)
		s.arrPlaces = append(s.arrPlaces, p)
		s.arrCity = append(s.arrCity, a.Commune)
		s.arrsOf[a.Commune] = append(s.arrsOf[a.Commune], a.Code)
	}
	for _, codes := range s.arrsOf {
		sort.Strings(codes)
	}
}

// Place returns the place with this code: a current commune, or an
// arrondissement municipal described as a commune (its own name,
// population and point; the département, région and EPCI of its city;
// PointSource "arrondissement"). It returns nil for any other code.
func (s *Snapshot) Place(code string) *Commune {
	if c := s.Commune(code); c != nil {
		return c
	}
	if i, ok := s.arrOf[code]; ok {
		return &s.arrPlaces[i]
	}
	return nil
}

// PlaceOf returns the place a code of any vintage designates today: the
// code itself for a current commune or an arrondissement municipal, else
// the current commune an old code (commune déléguée, associée or absorbed)
// merged into, following a commune nouvelle that merged again; "" when the
// code is unknown. The official APL rows, published in the geography of
// their vintage, are mapped onto today's places with it.
func (s *Snapshot) PlaceOf(code string) string {
	if s.Place(code) != nil {
		return code
	}
	for range 8 {
		o := s.OldCode(code)
		if o == nil {
			return ""
		}
		if s.Commune(o.Current) != nil {
			return o.Current
		}
		code = o.Current
	}
	return ""
}

// ArrondissementsOf returns the codes of the arrondissements municipaux of
// a city (75056, 69123, 13055), sorted; nil for any other commune.
func (s *Snapshot) ArrondissementsOf(city string) []string { return s.arrsOf[city] }

// CityOf returns the city of an arrondissement municipal, or "".
func (s *Snapshot) CityOf(code string) string {
	if i, ok := s.arrOf[code]; ok {
		return s.arrCity[i]
	}
	return ""
}

// OldCode returns the mapping of a code that is no longer current, or nil.
func (s *Snapshot) OldCode(code string) *OldCode {
	if i, ok := s.oldCode[code]; ok {
		return &s.OldCodes[i]
	}
	return nil
}

// EPCI returns the EPCI with this SIREN, or nil.
func (s *Snapshot) EPCI(siren string) *EPCI {
	if i, ok := s.epci[siren]; ok {
		return &s.EPCIs[i]
	}
	return nil
}

// Departement returns the département with this code, or nil.
func (s *Snapshot) Departement(code string) *Departement {
	if i, ok := s.dep[code]; ok {
		return &s.Departements[i]
	}
	return nil
}

// Region returns the région with this code, or nil.
func (s *Snapshot) Region(code string) *Region {
	if i, ok := s.reg[code]; ok {
		return &s.Regions[i]
	}
	return nil
}

// Contours returns the GeoJSON geometry of each commune of a département,
// keyed by current commune code. Contours are read on first use only, so
// that start-up does not pay for maps nobody draws. The file is cut into
// its members, not validated (a one-EPCI report draws 21 of Seine-et-
// Marne's 507 communes, and validating all took 13 % of its CPU): a
// caller that writes a geometry out checks it with json.Valid; one that
// decodes it (json.Unmarshal) has it checked.
func (s *Snapshot) Contours(dep string) (map[string]json.RawMessage, error) {
	s.contourMu.Lock()
	defer s.contourMu.Unlock()
	if g, ok := s.contourDep[dep]; ok {
		return g, nil
	}
	f, err := s.fsys.Open(ContoursDir + "/" + dep + ".json.gz")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: contours of %s: %w", dep, err)
	}
	defer f.Close()
	zr, err := kgzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("snapshot: contours of %s: %w", dep, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("snapshot: contours of %s: %w", dep, err)
	}
	g, err := jsonsplit.Object(b)
	if err != nil {
		return nil, fmt.Errorf("snapshot: contours of %s: %w", dep, err)
	}
	if s.contourDep == nil {
		s.contourDep = map[string]map[string]json.RawMessage{}
	}
	s.contourDep[dep] = g
	return g, nil
}

// optional tables may be absent: the embedded snapshot has no per-commune
// count of professionals nor GP sites, which only an imported RPPS
// extraction gives.
var optional = map[string]bool{ProfessionalsFile: true, GPSitesFile: true, SASFile: true, PostcodesFile: true}

// layered is a read-only union of file systems, the first taking precedence.
type layered []fs.FS

func overlay(layers []fs.FS) fs.FS {
	if len(layers) == 1 {
		return layers[0]
	}
	return layered(layers)
}

func (l layered) Open(name string) (fs.File, error) {
	var first error
	for _, f := range l {
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// LocalDir returns the folder of the local snapshot: dataDir when set, else
// $XDG_DATA_HOME/diagsante or ~/.local/share/diagsante on Unix-like systems,
// and the user config folder elsewhere.
func LocalDir(dataDir string) (string, error) {
	if dataDir != "" {
		return dataDir, nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "diagsante"), nil
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share", "diagsante"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "diagsante"), nil
}

// HasLocal reports whether dir holds a local snapshot.
func HasLocal(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ManifestFile))
	return err == nil && st.Mode().IsRegular()
}

// LoadWithLocal loads the embedded snapshot, under the local snapshot of dir
// when there is one. local says whether one was used.
func LoadWithLocal(dir string) (s *Snapshot, local bool, err error) {
	return loadWithLocal(dir, LoadLayers)
}

// LoadWithLocalOnly is LoadWithLocal for LoadLayersOnly: only the tables
// of the files named are decoded.
func LoadWithLocalOnly(dir string, files ...string) (s *Snapshot, local bool, err error) {
	return loadWithLocal(dir, func(layers ...fs.FS) (*Snapshot, error) { return LoadLayersOnly(files, layers...) })
}

// LoadWithLocalAhead is LoadWithLocal for LoadLayersAhead: the tables of
// files are decoded, those of ahead started (see Snapshot.Ahead).
func LoadWithLocalAhead(dir string, files, ahead []string) (s *Snapshot, local bool, err error) {
	return loadWithLocal(dir, func(layers ...fs.FS) (*Snapshot, error) { return LoadLayersAhead(files, ahead, layers...) })
}

// LoadManifestWithLocal is LoadWithLocal for LoadManifestLayers: the
// manifest, départements and régions of the embedded snapshot under the
// local one of dir, with the same LocalProblems.
func LoadManifestWithLocal(dir string) (s *Snapshot, local bool, err error) {
	return loadWithLocal(dir, LoadManifestLayers)
}

func loadWithLocal(dir string, load func(...fs.FS) (*Snapshot, error)) (s *Snapshot, local bool, err error) {
	if dir == "" || !HasLocal(dir) {
		s, err = load(Embedded())
		return s, false, err
	}
	s, err = load(os.DirFS(dir), Embedded())
	if err != nil {
		return nil, true, fmt.Errorf("local snapshot %s: %w", dir, err)
	}
	s.LocalProblems = missingTables(dir, s)
	return s, true, nil
}

// missingTables finds the tables the local manifest of dir lists whose file
// is gone (deleted by hand, a disk problem): the loader then read the
// embedded file, which must not pass for the import. Their description
// goes back to the embedded one, with a note, so that no listing says
// "imported"; the problems are returned for a warning.
func missingTables(dir string, s *Snapshot) []string {
	mb, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil
	}
	var local Manifest
	if json.Unmarshal(mb, &local) != nil {
		return nil
	}
	var emb Manifest
	if b, err := fs.ReadFile(Embedded(), ManifestFile); err == nil {
		json.Unmarshal(b, &emb)
	}
	var problems []string
	for _, t := range local.Tables {
		file := t.Name + ".tsv.gz"
		if _, err := os.Stat(filepath.Join(dir, file)); err == nil {
			continue
		}
		problems = append(problems, fmt.Sprintf("damaged local snapshot %s: table %s: file %s is missing (the manifest says it was imported from %s); the embedded table is used instead. Import the file again, or remove %s to go back to the embedded snapshot",
			dir, t.Name, filepath.Join(dir, file), t.Origin, dir))
		if cur := s.Manifest.Table(t.Name); cur != nil {
			if e := emb.Table(t.Name); e != nil {
				*cur = *e
			} else {
				cur.Origin, cur.Imported = "embedded", ""
			}
			cur.Notes = append(slices.Clone(cur.Notes), "fichier local "+file+" manquant : table intégrée utilisée")
		}
	}
	return problems
}
