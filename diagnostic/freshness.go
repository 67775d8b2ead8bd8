package diagnostic

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Data grows old: the embedded snapshot holds a FINESS of 2021 and GP
// counts of 2017 while newer official files exist. The report says on its
// first page how old each source it used is, per département (a local
// import may cover some départements only), and Limites names every source
// more than StaleAfterYears older than the report with the command that
// refreshes it. `version` and `datasets info` show the same list.

// StaleAfterYears is how many years after its date a source is flagged as
// old.
const StaleAfterYears = 2

// A SourceDate is the date of the data of one source, over the
// départements where that source has that date.
type SourceDate struct {
	// Key names the source: finess, rpps, bpe, apl, sae, cnam, cog, ages,
	// contours, cpts, proximite, snp, sas.
	Key string `json:"key"`
	// Label names the data in French, e.g. "Établissements FINESS".
	Label string `json:"label"`
	// Tables are the snapshot tables the data comes from.
	Tables []string `json:"tables"`
	// Source is the source and vintage as the snapshot labels them, e.g.
	// "FINESS 2021-01-08", "BPE 2017".
	Source string `json:"source"`
	// Date is the date of the data: YYYY-MM-DD, YYYY-MM or YYYY; "" when
	// the source does not say.
	Date string `json:"date"`
	// Text is the date for the report: "données au 08/01/2021", "données
	// de mars 2026", "données 2017".
	Text string `json:"text"`
	// Departements are the codes of the départements asked for where the
	// source has this date; Area names them in French. Both are empty when
	// the source has this one date over all of them.
	Departements []string `json:"departements,omitempty"`
	Area         string   `json:"area,omitempty"`
	// Stale is true when the data's date (the last day of its month or
	// year when only those are known) is more than StaleAfterYears before
	// the reference date.
	Stale bool `json:"stale"`
	// Update is the command that fetches a newer file, "" when there is
	// none; Manual says in French how to refresh the data by hand, or that
	// no newer file is known.
	Update string `json:"update,omitempty"`
	Manual string `json:"manual,omitempty"`
	// verb ends the Limites sentence after the Update command.
	verb string
}

// A sourceSpec is one source of the list: the tables it fills and how it
// is refreshed.
type sourceSpec struct {
	key, label string
	tables     []string
	// rpps keeps, in tables shared by the BPE and an RPPS import, the
	// coverage entries of one of them (0: every entry).
	rpps          int
	update, verb  string
	manual        string
	nationalFirst bool // date of a national table: first date of its vintage text
}

const (
	anyOrigin = iota
	onlyRPPS
	notRPPS
)

// NoUpdate is the Manual hint of a source that no command refreshes.
const NoUpdate = "pas de mise à jour automatique ni d'import pour cette source"

// sourceSpecs lists the sources in the order of the report.
var sourceSpecs = []sourceSpec{
	{key: "finess", label: "Établissements FINESS", tables: []string{"establishments"}, update: "finess", verb: "les met à jour"},
	{key: "rpps", label: "Médecins généralistes et professionnels par commune (Annuaire Santé RPPS)", tables: []string{"gp_bpe", "gp_rpps", "professionals"},
		rpps: onlyRPPS, update: "rpps", verb: "les met à jour"},
	{key: "bpe", label: "Médecins généralistes par commune (BPE, INSEE)", tables: []string{"gp_bpe"}, rpps: notRPPS, update: "rpps",
		verb: "les remplace par l'Annuaire Santé (RPPS)"},
	{key: "apl", label: "Accessibilité potentielle localisée (APL, DREES)", tables: []string{"apl"}, update: "apl", verb: "la met à jour"},
	{key: "sae", label: "Urgences et maternités (SAE, DREES)", tables: []string{"urgences", "maternites"}, manual: NoUpdate},
	{key: "cnam", label: "Professionnels libéraux par département (Assurance Maladie)", tables: []string{"liberaux"}, manual: NoUpdate},
	{key: "cog", label: "Communes et populations de référence (INSEE)", tables: []string{"communes"},
		manual: "populations à mettre à jour à la main : « diagsante datasets import --population donnees_communes.csv » (fichier de l'INSEE)"},
	{key: "ages", label: "Population par âge des départements (INSEE)", tables: []string{"popage"}, manual: NoUpdate},
	{key: "contours", label: "Contours des communes (IGN)", tables: []string{"contours"}, manual: NoUpdate, nationalFirst: true},
	{key: "cpts", label: "Périmètres de CPTS", tables: []string{"cpts"},
		manual: "à mettre à jour à la main : « diagsante datasets import --cpts FICHIER » (liste de l'ARS)"},
	{key: "proximite", label: "Hôpitaux de proximité", tables: []string{"hopitaux_proximite"}, manual: NoUpdate},
	{key: "snp", label: "Soins non programmés", tables: []string{"soins_non_programmes"}, manual: NoUpdate},
	{key: "sas", label: "Service d'accès aux soins (ARS)", tables: []string{"sas"}, manual: NoUpdate},
}

// SourceDates lists, for the départements deps (every département of the
// snapshot when deps is empty), each source the snapshot holds for them
// with the date of its data, one entry per date when the départements do
// not all have the same, and whether it is more than StaleAfterYears older
// than ref. The report lists those of its territory; `version` and
// `datasets info` those of the whole snapshot, against today.
func SourceDates(s *snapshot.Snapshot, deps []string, ref time.Time) []SourceDate {
	if len(deps) == 0 {
		for _, d := range s.Departements {
			deps = append(deps, d.Code)
		}
	}
	var out []SourceDate
	for _, sp := range sourceSpecs {
		type group struct {
			source, date string
			tables       []string
			deps         []string
		}
		var groups []*group
		find := func(source, date string) *group {
			for _, g := range groups {
				if g.source == source && g.date == date {
					return g
				}
			}
			g := &group{source: source, date: date}
			groups = append(groups, g)
			return g
		}
		for _, name := range sp.tables {
			t := s.Manifest.Table(name)
			if t == nil {
				continue
			}
			seen := map[*group]bool{}
			for _, d := range deps {
				c, ok := t.Covers(d)
				if !ok {
					continue
				}
				source, date := c.Source, c.Vintage
				if t.Coverage == nil {
					source = cmp.Or(t.Vintage, t.Source)
					date = ""
				}
				isRPPS := strings.Contains(source, "RPPS")
				if (sp.rpps == onlyRPPS && !isRPPS) || (sp.rpps == notRPPS && isRPPS) {
					continue
				}
				date = cmp.Or(isoDate(date), vintageDate(source, sp.nationalFirst))
				g := find(source, date)
				g.deps = append(g.deps, d)
				if !seen[g] {
					seen[g] = true
					if !slices.Contains(g.tables, name) {
						g.tables = append(g.tables, name)
					}
				}
			}
		}
		// The same départements twice (urgences and maternités) count once.
		for _, g := range groups {
			slices.Sort(g.deps)
			g.deps = slices.Compact(g.deps)
		}
		slices.SortStableFunc(groups, func(a, b *group) int {
			return cmp.Or(cmp.Compare(len(b.deps), len(a.deps)), cmp.Compare(a.date, b.date), cmp.Compare(a.source, b.source))
		})
		for _, g := range groups {
			sd := SourceDate{Key: sp.key, Label: sp.label, Tables: g.tables, Source: g.source, Date: g.date, Text: DateText(g.date),
				Stale: IsStale(g.date, ref), Manual: sp.manual, verb: sp.verb}
			if sp.update != "" {
				sd.Update = "diagsante datasets update --only " + sp.update
			}
			if len(groups) > 1 {
				sd.Departements = g.deps
				sd.Area = (&Engine{Snap: s}).areaNames(g.deps, false)
			}
			out = append(out, sd)
		}
	}
	return out
}

// Limit is the sentence of Limites for a stale source, e.g. « Établissements
// FINESS : données au 08/01/2021, plus de deux ans avant ce rapport —
// « diagsante datasets update --only finess » les met à jour. »
func (d SourceDate) Limit() string {
	s := d.Label
	if d.Area != "" {
		s += ", " + d.Area
	}
	s += " : " + d.Text + ", plus de deux ans avant ce rapport"
	if d.Update != "" {
		verb := cmp.Or(d.verb, "les met à jour")
		return s + " — « " + d.Update + " » " + verb + "."
	}
	return s + " ; " + d.Manual + "."
}

var (
	isoRE      = regexp.MustCompile(`^(?:19|20)\d{2}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$`)
	isoInRE    = regexp.MustCompile(`\b((?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)\b`)
	frDayRE    = regexp.MustCompile(`(?i)\b(1er|[0-3]?\d) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) ((?:19|20)\d{2})\b`)
	frMonthRE  = regexp.MustCompile(`(?i)\b(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) ((?:19|20)\d{2})\b`)
	yearRE     = regexp.MustCompile(`\b((?:19|20)\d{2})\b`)
	frenchMths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// isoDate returns v when it is a date YYYY, YYYY-MM or YYYY-MM-DD.
func isoDate(v string) string {
	if isoRE.MatchString(v) {
		if len(v) == 10 {
			if _, err := time.Parse("2006-01-02", v); err != nil {
				return ""
			}
		}
		return v
	}
	return ""
}

// vintageDate reads the date of a vintage label written for people: an
// ISO date in it, else a French date ("31 décembre 2023", "1er janvier
// 2023", "mars 2026"), else a year — the last one named (the newest
// vintage of "APL 2022 … et APL 2023"), or the first when first is set
// (contours: "COG 2018 géométries, codes ramenés au COG 2026").
func vintageDate(label string, first bool) string {
	k := vintageKey{label, first}
	if d, ok := vintageDates.Load(k); ok {
		return d.(string)
	}
	d := parseVintageDate(label, first)
	vintageDates.Store(k, d)
	return d
}

// vintageDates memoizes vintageDate: the few source labels of a snapshot
// are dated again for every report of a batch, with regular expressions.
var vintageDates sync.Map // vintageKey -> string

type vintageKey struct {
	label string
	first bool
}

func parseVintageDate(label string, first bool) string {
	if m := isoInRE.FindStringSubmatch(label); m != nil && isoDate(m[1]) != "" {
		return m[1]
	}
	if m := frDayRE.FindStringSubmatch(label); m != nil {
		day := strings.TrimSuffix(strings.ToLower(m[1]), "er")
		n, _ := strconv.Atoi(day)
		d := m[3] + "-" + twoDigits(monthOf(m[2])) + "-" + twoDigits(n)
		if isoDate(d) != "" {
			return d
		}
	}
	if m := frMonthRE.FindStringSubmatch(label); m != nil {
		return m[2] + "-" + twoDigits(monthOf(m[1]))
	}
	years := yearRE.FindAllString(label, -1)
	switch {
	case len(years) == 0:
		return ""
	case first:
		return years[0]
	}
	return slices.Max(years)
}

func monthOf(name string) int { return slices.Index(frenchMths, strings.ToLower(name)) + 1 }

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// DateText writes a data date for the report: "données au 08/01/2021",
// "données de mars 2026", "données d'avril 2026", "données 2017", "date
// inconnue".
func DateText(date string) string {
	switch len(date) {
	case 10:
		return "données au " + date[8:10] + "/" + date[5:7] + "/" + date[:4]
	case 7:
		m, _ := strconv.Atoi(date[5:7])
		if m < 1 || m > 12 {
			return "données " + date
		}
		name := frenchMths[m-1]
		if strings.ContainsRune("ao", rune(name[0])) {
			return "données d'" + name + " " + date[:4]
		}
		return "données de " + name + " " + date[:4]
	case 4:
		return "données " + date
	}
	return "date inconnue"
}

// IsStale reports whether data of date (YYYY-MM-DD, YYYY-MM or YYYY) is
// more than StaleAfterYears older than ref. A month or a year counts from
// its last day: the data is flagged only when it is surely that old. An
// unknown date is not flagged.
func IsStale(date string, ref time.Time) bool {
	var end time.Time
	var err error
	switch len(date) {
	case 10:
		end, err = time.Parse("2006-01-02", date)
	case 7:
		end, err = time.Parse("2006-01", date)
		end = end.AddDate(0, 1, -1)
	case 4:
		end, err = time.Parse("2006", date)
		end = end.AddDate(1, 0, -1)
	default:
		return false
	}
	if err != nil || ref.IsZero() {
		return false
	}
	refDay := time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, time.UTC)
	return end.AddDate(StaleAfterYears, 0, 0).Before(refDay)
}

// StaleLimits returns the Limites sentences of the stale sources of a list.
func StaleLimits(dates []SourceDate) []string {
	var out []string
	for _, d := range dates {
		if d.Stale {
			out = append(out, d.Limit())
		}
	}
	return out
}
