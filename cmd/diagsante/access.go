package main

import (
	"fmt"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/finess"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// newAccessCommand is the group of commands about geographic access.
func newAccessCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Travel times of the crow-fly model, for comparison with a router",
		Args:  noArgs,
	}
	cmd.AddCommand(newAccessTimesCommand(g))
	return cmd
}

type accessTimesOptions struct {
	*globalOptions
	Pairs     string
	CRS       int
	CSVLocale string
}

func newAccessTimesCommand(g *globalOptions) *cobra.Command {
	opts := &accessTimesOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "times --pairs FILE",
		Short: "Write the model's crow-fly km and road minutes for pairs of places",
		Long: `Read a CSV of pairs and write, for each, id;km;minutes: the crow-fly
distance and the road minutes of the travel-time model diagsante uses for
the time to the nearest facility and the recomputed APL, so that they can
be compared with a router's times (OSRM, Metric…).

The file has a header naming its columns (any order, any case, other
columns ignored), ';' or ',' separated:

  id;from;to                 two INSEE commune codes (or arrondissement
                             codes, or codes of merged communes): the
                             communes' points; a commune to itself is 0
                             minutes, as in the DREES APL
  id;lon1;lat1;lon2;lat2     two WGS84 points in decimal degrees
  id;x1;y1;x2;y2 --crs 2154  two Lambert-93 points in metres

Two distinct points always take at least the model's minutes at 0 km. The
model's measured error is given by 'diagsante datasets verify
--travel-times FILE' against road times you hold.
` + csvLocaleHelp + `
EXIT STATUS
  0  ok
  1  failure
  2  bad usage or bad input (the error names file:line:column)`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAccessTimes(opts) },
	}
	cmd.Flags().StringVar(&opts.Pairs, "pairs", "", "CSV of pairs: id and two INSEE codes, or two points (required)")
	cmd.Flags().IntVar(&opts.CRS, "crs", 4326, "coordinates of point columns: 4326 (WGS84 lon/lat) or 2154 (Lambert-93 x/y)")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

func runAccessTimes(opts *accessTimesOptions) error {
	loc, err := csvLocale(opts.CSVLocale)
	if err != nil {
		return err
	}
	if opts.Pairs == "" {
		return usageErr(fmt.Errorf("--pairs FILE is required: a CSV id;from;to or id;lon1;lat1;lon2;lat2"))
	}
	pf, err := readPairsFile(opts.Pairs, true, false)
	if err != nil {
		return err
	}
	var s *snapshot.Snapshot
	if pf.layout.from >= 0 {
		if s, err = opts.snapshot(); err != nil {
			return err
		}
	}
	trips, err := resolvePairs(s, pf, opts.CRS)
	if err != nil {
		return err
	}
	w := loc.NewWriter(opts.Stdout)
	w.Write([]string{"id", "km", "minutes"})
	for _, t := range trips {
		w.Write([]string{t.ID, loc.Float(t.Km, 2), loc.Float(t.Minutes, 1)})
	}
	w.Flush()
	return w.Error()
}

// readPairsFile opens and parses a pairs file; a missing file or a bad row
// is a usage error.
func readPairsFile(path string, needID, needMinutes bool) (*pairsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, usageErr(fmt.Errorf("%s is a folder: give a CSV file of pairs", path))
	}
	return parsePairs(f, path, needID, needMinutes)
}

// A modelTrip is a pair with the model's figures.
type modelTrip struct {
	ID       string
	Line     int
	Km       float64 // crow-fly
	Minutes  float64 // the model's
	Road     float64 // the file's road minutes, NaN when none
	From, To string  // resolved place codes, "" for points
}

// resolvePairs turns the rows into trips: codes to the points of their
// place, Lambert-93 to WGS84, and applies the default model.
func resolvePairs(s *snapshot.Snapshot, pf *pairsFile, crs int) ([]modelTrip, error) {
	if crs != 4326 && crs != 2154 {
		return nil, usageErr(fmt.Errorf("--crs %d: want 4326 (WGS84 lon/lat) or 2154 (Lambert-93)", crs))
	}
	m := access.DefaultModel()
	out := make([]modelTrip, 0, len(pf.Rows))
	for _, r := range pf.Rows {
		t := modelTrip{ID: r.ID, Line: r.Line, Road: r.Minutes}
		var pts [2]access.Point
		for k, e := range []pairEnd{r.From, r.To} {
			col := pf.layout.col(k == 1)
			if e.Code != "" {
				code := s.PlaceOf(e.Code)
				p := s.Place(code)
				if p == nil {
					return nil, parseerr.New(pf.Name, r.Line, col, "%s is not a commune or arrondissement code of the COG (nor an old code of one)", echo(e.Code))
				}
				if !p.HasPoint() {
					return nil, parseerr.New(pf.Name, r.Line, col, "commune %s %s has no point in the snapshot", code, p.Name)
				}
				pts[k] = access.Point{Lat: p.Lat, Lon: p.Lon}
				if k == 0 {
					t.From = code
				} else {
					t.To = code
				}
				continue
			}
			lon, lat := e.X, e.Y
			if crs == 2154 {
				// Lambert-93 covers metropolitan France: eastings 0–1.3e6 m,
				// northings 6.0e6–7.2e6 m; WGS84 degrees given by mistake
				// are far outside.
				if e.X < 0 || e.X > 1.3e6 || e.Y < 6.0e6 || e.Y > 7.2e6 {
					return nil, parseerr.New(pf.Name, r.Line, col, "point (%g, %g) is outside metropolitan France in Lambert-93 (x 0–1,300,000, y 6,000,000–7,200,000 m)", e.X, e.Y)
				}
				lon, lat = finess.Lambert93.Inverse(e.X, e.Y)
			} else if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				hint := ""
				if math.Abs(lon) > 1000 {
					hint = ": Lambert-93 metres? add --crs 2154"
				}
				return nil, parseerr.New(pf.Name, r.Line, col, "point (%g, %g) is not a WGS84 longitude, latitude%s", lon, lat, hint)
			}
			pts[k] = access.Point{Lat: lat, Lon: lon}
		}
		t.Km = access.HaversineKm(pts[0], pts[1])
		t.Minutes = m.Minutes(t.From, t.To, pts[0], pts[1])
		out = append(out, t)
	}
	return out, nil
}
