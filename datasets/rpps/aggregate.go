package rpps

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"sort"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

// A Key groups professionals: a commune, a profession and, for médecins,
// whether they are general practitioners.
type Key struct {
	Commune    string // INSEE code; empty for sites without commune (abroad, unknown)
	Profession string // Code profession
	GP         bool   // médecin with savoir-faire SM54, SM53 or SM26
}

// A Count is the number of distinct professionals of a Key.
type Count struct {
	Key
	// People counts each professional once per commune where they have at
	// least one site, whatever the number of sites there.
	People int
	// Share splits each professional across the communes where they
	// practise (1/n in each of n communes), so that shares add up to the
	// number of professionals.
	Share float64
}

// PersonKey identifies a professional compactly, by the national
// identifier when the line has one, else the identifier PP: see personKey.
func PersonKey(nationalID, id string) uint64 { return personKey(identity(nationalID, id)) }

// personKey identifies a professional compactly: identifiers are digit
// strings (8 + RPPS number, 0 + ADELI number) and fit a uint64 with their
// length (leading zeros matter); anything else is hashed, with the top bit
// set so the two spaces never meet.
func personKey(id string) uint64 {
	if n := len(id); n > 0 && n <= 16 {
		var v uint64
		digits := true
		for i := 0; i < n; i++ {
			c := id[i]
			if c < '0' || c > '9' {
				digits = false
				break
			}
			v = v*10 + uint64(c-'0')
		}
		if digits {
			return uint64(n)<<56 | v
		}
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64() | 1<<63
}

type pairKey struct {
	person  uint64
	commune uint32
	prof    uint16
}

// An Aggregator counts professionals per Key. Whether a médecin is a GP is
// a property of the person, decided once all of their lines (and the
// companion file's) have been seen; Counts applies it at the end.
//
// Each line is recorded as a 16-byte (person, commune, profession) triple
// and Counts sorts them, which is faster and smaller than hashing every
// line: about 32 MB for the 2 million lines of the national file.
type Aggregator struct {
	// Filter, when set, keeps only the activities for which it returns
	// true (e.g. libéral practice only: a.Mode == "L").
	Filter func(*Activity) bool

	communes  map[string]uint32
	communeOf []string
	profs     map[string]uint16
	profOf    []string
	pairs     []pairKey
	gps       map[uint64]struct{}
}

// NewAggregator returns an empty Aggregator.
func NewAggregator() *Aggregator {
	return &Aggregator{
		communes: map[string]uint32{},
		profs:    map[string]uint16{},
		gps:      map[uint64]struct{}{},
	}
}

func identity(nationalID, id string) string {
	if nationalID != "" {
		return nationalID
	}
	return id
}

// Add counts one activity line.
func (g *Aggregator) Add(a *Activity) {
	if g.Filter != nil && !g.Filter(a) {
		return
	}
	person := personKey(identity(a.NationalID, a.ID))
	if a.Profession == Medecin && IsGPSavoirFaire(a.SavoirFaire) {
		g.gps[person] = struct{}{}
	}
	c, ok := g.communes[a.Commune]
	if !ok {
		c = uint32(len(g.communeOf))
		g.communes[a.Commune] = c
		g.communeOf = append(g.communeOf, a.Commune)
	}
	p, ok := g.profs[a.Profession]
	if !ok {
		p = uint16(len(g.profOf))
		g.profs[a.Profession] = p
		g.profOf = append(g.profOf, a.Profession)
	}
	k := pairKey{person, c, p}
	// A person's sites are consecutive lines, often in one commune: drop
	// the obvious repeats now, the sort in Counts handles the rest.
	if n := len(g.pairs); n > 0 && g.pairs[n-1] == k {
		return
	}
	g.pairs = append(g.pairs, k)
}

// AddSavoirFaire records a companion-file line: a médecin with a GP
// savoir-faire is a GP. The companion is joined on Identification
// nationale PP.
func (g *Aggregator) AddSavoirFaire(s *SavoirFaire) {
	if (s.Profession == Medecin || s.Profession == "") && IsGPSavoirFaire(s.Code) {
		g.gps[personKey(identity(s.NationalID, s.ID))] = struct{}{}
	}
}

// Counts returns the counts sorted by commune, profession, GP flag. It
// sorts the recorded lines in place and may be called again after more
// Add calls.
func (g *Aggregator) Counts() []Count {
	slices.SortFunc(g.pairs, func(a, b pairKey) int {
		if c := cmp.Compare(a.person, b.person); c != 0 {
			return c
		}
		if c := cmp.Compare(a.prof, b.prof); c != 0 {
			return c
		}
		return cmp.Compare(a.commune, b.commune)
	})
	g.pairs = slices.Compact(g.pairs)
	type tally struct {
		commune uint32
		prof    uint16
		gp      bool
	}
	idx := map[tally]int{}
	var out []Count
	for i := 0; i < len(g.pairs); {
		// pairs[i:j] are the distinct communes of one person and profession.
		j := i + 1
		for j < len(g.pairs) && g.pairs[j].person == g.pairs[i].person && g.pairs[j].prof == g.pairs[i].prof {
			j++
		}
		gp := false
		if g.profOf[g.pairs[i].prof] == Medecin {
			_, gp = g.gps[g.pairs[i].person]
		}
		share := 1 / float64(j-i)
		for _, k := range g.pairs[i:j] {
			t := tally{k.commune, k.prof, gp}
			n, ok := idx[t]
			if !ok {
				n = len(out)
				idx[t] = n
				out = append(out, Count{Key: Key{Commune: g.communeOf[k.commune], Profession: g.profOf[k.prof], GP: gp}})
			}
			out[n].People++
			out[n].Share += share
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Commune != b.Commune {
			return a.Commune < b.Commune
		}
		if a.Profession != b.Profession {
			return a.Profession < b.Profession
		}
		return !a.GP && b.GP
	})
	return out
}

// Aggregate reads an activity file (and, when given, its savoir-faire
// companion) and counts professionals per commune, profession and GP flag.
// When the activity file has no savoir-faire columns the companion is
// required, since GPs could not be told from other médecins.
func Aggregate(activity io.Reader, activityName string, companion io.Reader, companionName string, filter func(*Activity) bool) ([]Count, error) {
	rd, err := NewReader(activity, activityName)
	if err != nil {
		return nil, err
	}
	if !rd.HasSavoirFaire() && companion == nil {
		return nil, &parseerr.Error{File: activityName, Line: 1, Err: fmt.Errorf("no savoir-faire columns in this extraction: give the PS_LibreAcces_SavoirFaire file too, GPs cannot be told apart without it")}
	}
	g := NewAggregator()
	g.Filter = filter
	if companion != nil {
		if err := ReadSavoirFaire(companion, companionName, func(s *SavoirFaire) error {
			g.AddSavoirFaire(s)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	var a Activity
	for {
		if err := rd.NextInto(&a); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		g.Add(&a)
	}
	return g.Counts(), nil
}
