package importer

import (
	"fmt"
	"slices"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// APLMinShare is the share of a département's communes (today's, of the
// COG) an APL vintage must cover in every département it has rows in.
// DREES publishes every commune; a few percent of slack absorbs communes
// split since the vintage's geography (an old code maps onto one commune
// only) and communes without population.
const APLMinShare = 0.95

// An APLGap is a département an APL vintage covers only in part.
type APLGap struct {
	Vintage        int
	Dep            string
	Covered, Total int    // today's communes with a row of the vintage, of the département's
	LastRow        int    // sheet row of the département's last commune (0 when unknown)
	LastCode       string // code of that row
}

func (g APLGap) String() string {
	return fmt.Sprintf("APL %d: département %s has %d of its %d communes (%.0f %%)", g.Vintage, g.Dep, g.Covered, g.Total, 100*float64(g.Covered)/float64(max(g.Total, 1)))
}

// aplRowRef is one APL row: vintage, code, sheet row.
type aplRowRef struct {
	Vintage int
	Code    string
	Row     int
}

// aplGaps checks that every département an APL vintage has rows in is
// complete relative to today's communes of the snapshot: the gaps, by
// vintage then département.
func aplGaps(codes *Codes, communes []snapshot.Commune, rows []aplRowRef) []APLGap {
	total := map[string]int{}
	for _, c := range communes {
		if d := codes.Dep(c.Code); d != "" {
			total[d]++
		}
	}
	type key struct {
		v int
		d string
	}
	covered := map[key]map[string]bool{}
	last := map[key]aplRowRef{}
	for _, r := range rows {
		cur, _, ok := codes.Current(r.Code)
		if !ok {
			continue
		}
		k := key{r.Vintage, codes.Dep(cur)}
		if covered[k] == nil {
			covered[k] = map[string]bool{}
		}
		covered[k][cur] = true
		if r.Row >= last[k].Row {
			last[k] = r
		}
	}
	var gaps []APLGap
	for k, set := range covered {
		n := total[k.d]
		if n == 0 || float64(len(set)) >= APLMinShare*float64(n) {
			continue
		}
		gaps = append(gaps, APLGap{Vintage: k.v, Dep: k.d, Covered: len(set), Total: n, LastRow: last[k].Row, LastCode: last[k].Code})
	}
	slices.SortFunc(gaps, func(a, b APLGap) int {
		if a.Vintage != b.Vintage {
			return a.Vintage - b.Vintage
		}
		if a.Dep < b.Dep {
			return -1
		}
		if a.Dep > b.Dep {
			return 1
		}
		return 0
	})
	return gaps
}

// APLGaps checks a snapshot's APL table: the départements each vintage
// covers only in part (see aplGaps).
func APLGaps(s *snapshot.Snapshot) []APLGap {
	refs := make([]aplRowRef, len(s.APL))
	for i, a := range s.APL {
		refs[i] = aplRowRef{Vintage: a.Vintage, Code: a.Code}
	}
	return aplGaps(NewCodes(s), s.Communes, refs)
}
