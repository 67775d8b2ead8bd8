package update

import (
	"fmt"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
)

// A TableChange is one table of the snapshot before and after an update.
type TableChange struct {
	Table                   string
	VintageBefore, Vintage  string
	RowsBefore, Rows        int
	OriginBefore, OriginNow string
}

// A CountChange is a national count that an update moves: MSP, centres de
// santé, CPTS, hospitals, GPs.
type CountChange struct {
	Label         string
	Before, After int
}

// Large reports a count that moved by 10 % or more, or from or to zero.
func (c CountChange) Large() bool {
	d := c.After - c.Before
	if d < 0 {
		d = -d
	}
	if c.Before == 0 {
		return c.After != 0
	}
	return d*10 >= c.Before
}

// Delta is the change as "+12 (+3.4 %)".
func (c CountChange) Delta() string {
	d := c.After - c.Before
	if c.Before == 0 {
		return fmt.Sprintf("%+d", d)
	}
	return fmt.Sprintf("%+d (%+.1f %%)", d, float64(d)*100/float64(c.Before))
}

// Changes compares the tables named, and the national counts they carry,
// between two snapshots.
func Changes(before, after *snapshot.Snapshot, tables []string) ([]TableChange, []CountChange) {
	var tc []TableChange
	for _, name := range tables {
		b, a := before.Manifest.Table(name), after.Manifest.Table(name)
		c := TableChange{Table: name}
		if b != nil {
			c.VintageBefore, c.RowsBefore, c.OriginBefore = b.Vintage, b.Rows, b.Origin
		}
		if a != nil {
			c.Vintage, c.Rows, c.OriginNow = a.Vintage, a.Rows, a.Origin
		}
		tc = append(tc, c)
	}
	cb, ca := Counts(before), Counts(after)
	var cc []CountChange
	for i := range cb {
		cc = append(cc, CountChange{Label: cb[i].Label, Before: cb[i].Before, After: ca[i].Before})
	}
	return tc, cc
}

// Counts are the national counts an update is judged by, in Before.
func Counts(s *snapshot.Snapshot) []CountChange {
	keys := []string{taxonomy.MSP, taxonomy.CDS, taxonomy.CPTS, taxonomy.Hospital, taxonomy.Pharmacy}
	labels := map[string]string{taxonomy.MSP: "MSP (maisons de santé)", taxonomy.CDS: "centres de santé, all types",
		taxonomy.CPTS: "CPTS (FINESS seats)", taxonomy.Hospital: "hospitals (sites with beds)", taxonomy.Pharmacy: "pharmacies"}
	n := map[string]int{}
	for i := range s.Establishments {
		for _, k := range taxonomy.Classify(&s.Establishments[i]) {
			if strings.HasPrefix(k, taxonomy.CDS+"_") {
				k = taxonomy.CDS
			}
			n[k]++
		}
	}
	var out []CountChange
	for _, k := range keys {
		out = append(out, CountChange{Label: labels[k], Before: n[k]})
	}
	people := map[string]bool{}
	for _, g := range s.GPSites {
		people[g.Person] = true
	}
	gps := 0
	for _, g := range s.GPs {
		gps += g.Count
	}
	out = append(out,
		CountChange{Label: "GPs per commune (gp_bpe), sum", Before: gps},
		CountChange{Label: "GPs as people (gp_rpps)", Before: len(people)},
		CountChange{Label: "APL rows", Before: len(s.APL)},
	)
	return out
}
