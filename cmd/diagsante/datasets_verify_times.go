package main

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/diagsante/diagsante/templates"
)

// A timesErrorClass is the error of the model over one class of trips.
type timesErrorClass struct {
	Class string  `json:"class"`
	Pairs int     `json:"pairs"`
	MAE   float64 `json:"mae_min"`
	Bias  float64 `json:"bias_min"` // model − road
}

// timesVerification is the JSON output of `datasets verify --travel-times`.
type timesVerification struct {
	File       string            `json:"file"`
	Pairs      int               `json:"pairs"`
	SamePlace  int               `json:"same_place_left_out"`
	All        []timesErrorClass `json:"all_trips"`
	Upto25     []timesErrorClass `json:"trips_upto_25_min"`
	ModelLabel string            `json:"model"`
}

// timesClasses are the crow-fly distance classes of the comparison, those
// of the model's calibration (datasets/internal/traveltime).
var timesClasses = []struct {
	name   string
	lo, hi float64
}{{"all", 0, math.Inf(1)}, {"0-5 km", 0, 5}, {"5-10 km", 5, 10}, {"10-20 km", 10, 20}, {"20+ km", 20, math.Inf(1)}}

// compareTimes measures the model against road minutes, by class, over the
// trips whose road time is at most maxRoad.
func compareTimes(trips []modelTrip, maxRoad float64) []timesErrorClass {
	out := make([]timesErrorClass, len(timesClasses))
	for k, c := range timesClasses {
		st := timesErrorClass{Class: c.name}
		for _, t := range trips {
			if t.Road > maxRoad || t.Km < c.lo || t.Km >= c.hi {
				continue
			}
			d := t.Minutes - t.Road
			st.Pairs++
			st.MAE += math.Abs(d)
			st.Bias += d
		}
		if st.Pairs > 0 {
			st.MAE /= float64(st.Pairs)
			st.Bias /= float64(st.Pairs)
		}
		out[k] = st
	}
	return out
}

// runTravelTimesVerify compares a user's road times with the model.
func runTravelTimesVerify(opts *datasetsVerifyOptions) error {
	pf, err := readPairsFile(opts.TravelTimes, false, true)
	if err != nil {
		return err
	}
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	all, err := resolvePairs(s, pf, 4326)
	if err != nil {
		return err
	}
	var trips []modelTrip
	same := 0
	for _, t := range all {
		if t.From != "" && t.From == t.To {
			same++
			continue
		}
		trips = append(trips, t)
	}
	out := timesVerification{File: opts.TravelTimes, Pairs: len(trips), SamePlace: same,
		All: compareTimes(trips, math.Inf(1)), Upto25: compareTimes(trips, 25), ModelLabel: "crow-fly model (DefaultParams)"}
	if opts.JSON {
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tab := templates.Table{Header: []string{"Model vs road minutes", "Pairs", "MAE (min)", "Bias (min)"}, Numeric: []bool{false, true, true, true}}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, g := range []struct {
		label string
		cls   []timesErrorClass
	}{{"all pairs", out.All}, {"trips ≤ 25 min", out.Upto25}} {
		for _, c := range g.cls {
			row := []string{g.label + ", " + c.Class, strconv.Itoa(c.Pairs), "", ""}
			if c.Pairs > 0 {
				row[2], row[3] = f(c.MAE), f(c.Bias)
			}
			tab.Rows = append(tab.Rows, row)
		}
	}
	tab.Rows = append(tab.Rows, []string{"same place, left out", strconv.Itoa(same), "", ""})
	return tab.Render(opts.Stdout)
}
