package apl

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// The "Paramètres" sheet is a human layout: a section title in column A,
// a header row, then label/value rows until a blank row. Sections are
// found by their title so that DREES can reorder them.
const (
	secNone = iota
	secActivity
	secDecay
	secAges
)

func sectionOf(title string) int {
	switch n := textio.NormalizeName(title); {
	case strings.HasPrefix(n, "comptabilisationdelactivite"):
		return secActivity
	case strings.HasPrefix(n, "decroissancedelaccessibilite"):
		return secDecay
	case strings.HasPrefix(n, "ponderationdelapopulation"):
		return secAges
	}
	return secNone
}

// numberRE matches numbers written the French way in labels: "3 600"
// (space, no-break space or narrow no-break space as thousands separator).
var numberRE = regexp.MustCompile(`\d+(?:[ \x{a0}\x{202f}]\d{3})*(?:,\d+)?`)

func labelNumbers(s string) []float64 {
	var out []float64
	for _, m := range numberRE.FindAllString(s, -1) {
		m = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(m)
		v, err := strconv.ParseFloat(m, 64)
		if err == nil {
			out = append(out, v)
		}
	}
	return out
}

// bounds turns "Moins de X", "Entre A et B", "de A à B", "Plus de X" into a
// range; open ends are 0 and +Inf.
func bounds(label string) (from, to float64, ok bool) {
	n := textio.NormalizeName(label)
	nums := labelNumbers(label)
	switch {
	case strings.HasPrefix(n, "moinsde") && len(nums) == 1:
		return 0, nums[0], true
	case strings.HasPrefix(n, "plusde") && len(nums) == 1:
		return nums[0], math.Inf(1), true
	case (strings.HasPrefix(n, "entre") || strings.HasPrefix(n, "de")) && len(nums) == 2:
		return nums[0], nums[1], true
	}
	return 0, 0, false
}

var imputedRE = regexp.MustCompile(`(?i)offre de (\d+(?:[ \x{a0}\x{202f}]\d{3})*) consultations`)

func parseParameters(src *rowSource) (*Parameters, error) {
	p := &Parameters{AgeWeights: make(map[int][]AgeWeight)}
	section := secNone
	expectHeader := false
	var ageVintages []int // vintage of each weight column, from the header
	for {
		cells, ok, err := src.read()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) == 0 {
			section = secNone
			continue
		}
		label := strings.TrimSpace(cells[0])
		if m := imputedRE.FindStringSubmatch(label); m != nil {
			if v := labelNumbers(m[1]); len(v) == 1 {
				p.NewPractitionerActivity = v[0]
			}
		}
		if s := sectionOf(label); s != secNone {
			section, expectHeader = s, true
			continue
		}
		if section == secNone {
			continue
		}
		if expectHeader {
			expectHeader = false
			if section == secAges {
				ageVintages = ageVintages[:0]
				for i := 1; i < len(cells); i++ {
					y := yearRE.FindString(cells[i])
					if y == "" {
						return nil, src.errorf(i+1, "age weight column %s has no year", textio.Quote(cells[i]))
					}
					v, _ := strconv.Atoi(y)
					ageVintages = append(ageVintages, v)
				}
				if len(ageVintages) == 0 {
					return nil, src.errorf(0, "age weight header has no vintage column")
				}
			}
			continue
		}
		if len(cells) < 2 {
			// A note under the table ("Exceptions : …", "Sources : …").
			section = secNone
			continue
		}
		from, to, ok := bounds(label)
		if !ok {
			return nil, src.errorf(1, "unreadable band label %s", textio.Quote(label))
		}
		switch section {
		case secActivity:
			b := ActivityBound{Label: label, From: from, To: to}
			v := strings.TrimSpace(cells[1])
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				b.Counted = f
			} else if strings.Contains(textio.NormalizeName(v), "consultations") {
				// "Nombre de consultations et visites effectuées…": the
				// actual activity is counted.
				b.Actual = true
			} else {
				return nil, src.errorf(2, "activity counted: not a number nor the actual activity: %s", textio.Quote(v))
			}
			p.ActivityBounds = append(p.ActivityBounds, b)
		case secDecay:
			w, err := strconv.ParseFloat(strings.TrimSpace(cells[1]), 64)
			if err != nil || w < 0 || w > 1 {
				return nil, src.errorf(2, "decay weight %s is not a number between 0 and 1", textio.Quote(cells[1]))
			}
			p.DecayBands = append(p.DecayBands, DecayBand{Label: label, FromMinutes: from, ToMinutes: to, Weight: w})
		case secAges:
			fromAge, toAge := int(from), int(to)
			switch n := textio.NormalizeName(label); {
			case math.IsInf(to, 1):
				toAge = -1
			case strings.HasPrefix(n, "moinsde"):
				toAge = int(to) - 1 // "Moins de 5 ans" is 0–4
			}
			if len(cells)-1 != len(ageVintages) {
				return nil, src.errorf(0, "age band %s has %d weights, the header announces %d", textio.Quote(label), len(cells)-1, len(ageVintages))
			}
			for i, v := range ageVintages {
				w, err := strconv.ParseFloat(strings.TrimSpace(cells[i+1]), 64)
				if err != nil || w <= 0 {
					return nil, src.errorf(i+2, "age weight %s is not a positive number", textio.Quote(cells[i+1]))
				}
				p.AgeWeights[v] = append(p.AgeWeights[v], AgeWeight{Label: label, FromAge: fromAge, ToAge: toAge, Weight: w})
			}
		}
	}
	switch {
	case len(p.ActivityBounds) == 0:
		return nil, src.errorf(0, "no activity bounds (section %q)", "Comptabilisation de l'activité")
	case len(p.DecayBands) == 0:
		return nil, src.errorf(0, "no distance decay (section %q)", "Décroissance de l'accessibilité avec la distance")
	case len(p.AgeWeights) == 0:
		return nil, src.errorf(0, "no age weights (section %q)", "Pondération de la population selon l'âge")
	}
	return p, nil
}

// Weight returns the decay weight for a road time in minutes.
func (p *Parameters) Weight(minutes float64) float64 {
	for _, b := range p.DecayBands {
		if minutes >= b.FromMinutes && minutes < b.ToMinutes {
			return b.Weight
		}
	}
	return 0
}

// String summarises the parameters for logs.
func (p *Parameters) String() string {
	return fmt.Sprintf("%d activity bounds, %d decay bands, age weights for %d vintages", len(p.ActivityBounds), len(p.DecayBands), len(p.AgeWeights))
}
