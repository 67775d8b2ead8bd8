package diagnostic

import (
	"math"
	"sync"

	"github.com/diagsante/diagsante/diagnostic/access"
)

// accessKinds are the report's kinds whose travel time METHOD.md asks for:
// the taxonomy's Nearest kinds, whose keys the report and the access
// engine share.
var accessKinds = func() []struct {
	key  string
	kind access.Kind
} {
	var out []struct {
		key  string
		kind access.Kind
	}
	for _, k := range access.Kinds() {
		out = append(out, struct {
			key  string
			kind access.Kind
		}{string(k), k})
	}
	return out
}()

// facilityIndexes returns the facility index of every kind, built on first use.
func (e *Engine) facilityIndexes() map[string]*access.FacilityIndex {
	e.facOnce.Do(func() {
		e.fac = map[string]*access.FacilityIndex{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, k := range accessKinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var fac []access.Facility
				if at, ok := e.ofKind[k.key]; ok {
					// Classified once, by NewEngine.
					fac = access.FacilitiesAt(e.Snap, at)
				} else {
					fac = access.Facilities(e.Snap, k.kind)
				}
				x := access.NewFacilityIndex(fac)
				mu.Lock()
				e.fac[k.key] = x
				mu.Unlock()
			}()
		}
		wg.Wait()
	})
	return e.fac
}

// times returns the travel-time provider: the user's, else the model.
func (e *Engine) times() access.Times {
	if e.Times != nil {
		return e.Times
	}
	return access.DefaultModel()
}

// fillAccess sets the nearest structure of each kind for every commune of
// the report, and the territory's travel-time figures.
func (e *Engine) fillAccess(r *Report) {
	idx := e.facilityIndexes()
	t := e.times()
	type acc struct{ pop, wmin, b15, b20, b30 float64 }
	sums := map[string]*acc{}
	for i := range r.Communes {
		c := &r.Communes[i]
		if c.Lat == nil {
			continue
		}
		place := access.Place{ID: c.Code, Point: access.Point{Lat: *c.Lat, Lon: *c.Lon}}
		c.Nearest = map[string]NearestFacility{}
		for _, k := range accessKinds {
			// Where the source of a kind does not cover the commune's
			// département, the nearest known facility may be far from the
			// nearest real one (Mayotte's nearest emergency department in
			// the data is on another island): no figure rather than a
			// wrong one. Overseas, a facility of another département is
			// across the sea, out of reach by road.
			table, _ := kindCoverage(k.key)
			if _, ok := e.covers(table, c.Dep); !ok {
				continue
			}
			h := idx[k.key].Nearest(place, 0, t)
			if h.Facility == nil || math.IsInf(h.Minutes, 0) {
				continue
			}
			if len(c.Dep) == 3 {
				if f := e.Snap.Place(h.Facility.Commune); f == nil || f.Dep != c.Dep {
					continue
				}
			}
			c.Nearest[k.key] = NearestFacility{Finess: h.Facility.ID, Name: SpaceNorm(h.Facility.Name), Commune: h.Facility.Commune,
				Km: round1(h.Km), Minutes: round1(h.Minutes)}
			a := sums[k.key]
			if a == nil {
				a = &acc{}
				sums[k.key] = a
			}
			p := float64(c.Population)
			a.pop += p
			a.wmin += p * h.Minutes
			// A commune counts beyond 15 minutes by the minutes the report
			// shows for it (the stored tenth of a minute, as the HTML, the
			// workbook and the CSV print it): one shown "15,0 min" is not
			// beyond 15.
			shown := c.Nearest[k.key].Minutes
			if shown > 15 {
				a.b15 += p
			}
			if shown > 20 {
				a.b20 += p
			}
			if shown > 30 {
				a.b30 += p
			}
		}
	}
	r.Access = []AccessFigures{}
	for _, k := range accessKinds {
		a := sums[k.key]
		if a == nil || a.pop == 0 {
			continue
		}
		r.Access = append(r.Access, AccessFigures{Kind: k.key, Label: KindLabel(k.key), MeanMinutes: a.wmin / a.pop,
			Beyond15: a.b15 / a.pop, Beyond20: a.b20 / a.pop, Beyond30: a.b30 / a.pop})
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
