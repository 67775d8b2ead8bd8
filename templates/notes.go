package templates

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/diagnostic"
)

// Unknown is not zero, and a reader must see why: a figure the data cannot
// give shows "n.d." with a footnote, a figure computed over part of a level
// shows its value with a footnote, and each footnote carries the Gap's
// French reason. The HTML page numbers its notes once for the whole page
// (one number per distinct reason, in reading order) and lists, at the end
// of each section, the notes that section refers to.

// Sections of the page, as their HTML ids: footnotes link to the list at
// the end of the section they are read in.
const (
	secSynthese   = "synthese"
	secTerritoire = "territoire"
	secPros       = "professionnels"
	secAccess     = "accessibilite"
	secOffre      = "offre"
	secMethode    = "methodologie"
)

// A note is a numbered footnote: N is its number on the whole page.
type note struct {
	N    int
	Sec  string
	Text string
}

// notebook numbers distinct reasons and remembers which sections refer to
// which notes.
type notebook struct {
	nums  map[string]int
	n     int
	bySec map[string][]note
	inSec map[string]map[int]bool
}

func newNotebook() *notebook {
	return &notebook{nums: map[string]int{}, bySec: map[string][]note{}, inSec: map[string]map[int]bool{}}
}

// ref returns the number of a reason, numbering it on first use, and adds
// it to the section's list of notes.
func (b *notebook) ref(sec, reason string) int {
	n, ok := b.nums[reason]
	if !ok {
		b.n++
		n = b.n
		b.nums[reason] = n
	}
	if b.inSec[sec] == nil {
		b.inSec[sec] = map[int]bool{}
	}
	if !b.inSec[sec][n] {
		b.inSec[sec][n] = true
		b.bySec[sec] = append(b.bySec[sec], note{N: n, Sec: sec, Text: reason})
	}
	return n
}

// section returns the notes a section refers to, by number.
func (b *notebook) section(sec string) []note {
	out := append([]note(nil), b.bySec[sec]...)
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out
}

// A fig is a formatted figure and the footnotes that go with it.
type fig struct {
	Text  string
	Notes []int
	Sec   string
	// Partial says the value covers part of the level only.
	Partial bool
}

// HTML is the figure as the page shows it: its text, escaped, then a link
// to each of its notes; the page template calls it as its function fig
// ({{fig .Value}}). The page shows hundreds of figures: made here, each is
// one action of the template instead of a call of a sub-template of
// several, each through reflection (and a function, unlike a method, is
// found without building its type through reflection at each call). It writes what that
// sub-template wrote (TestFigHTML holds it to it): the text escaped as
// html/template escapes an element's content, and the section, one of the
// ids above, as it is (html/template left these lower-case letters as
// they are in the link).
func (f fig) HTML() template.HTML {
	text := textEscaper.Replace(f.Text)
	if len(f.Notes) == 0 {
		return template.HTML(text)
	}
	var b strings.Builder
	b.Grow(len(text) + len(f.Notes)*(60+len(f.Sec)))
	b.WriteString(text)
	b.WriteString(`<sup class="fn">`)
	for i, n := range f.Notes {
		if i > 0 {
			b.WriteByte(',')
		}
		num := strconv.Itoa(n)
		b.WriteString(`<a href="#note-`)
		b.WriteString(f.Sec)
		b.WriteByte('-')
		b.WriteString(num)
		b.WriteString(`" aria-label="note `)
		b.WriteString(num)
		b.WriteString(`">`)
		b.WriteString(num)
		b.WriteString(`</a>`)
	}
	b.WriteString(`</sup>`)
	return template.HTML(b.String())
}

// textEscaper escapes text in an element's content as html/template does
// (its htmlEscaper): unlike html.EscapeString, it also escapes + and
// replaces NUL.
var textEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// fallbackReasons say why a figure is missing when the model gives no Gap:
// the figures that the open data do not publish at that level by design.
var fallbackReasons = map[string]string{
	"profession": "L'Assurance Maladie ne publie pas cet effectif pour ce niveau.",
	// Where the APL is known, the share from GPs 65+ is missing only when
	// the APL is 0: no accessibility to share out by the GPs' age.
	"share_from_65_plus":      shareFrom65Undefined,
	"share_from_65_plus_2022": shareFrom65Undefined,
}

const shareFrom65Undefined = "Part non définie : l'APL publiée par la DREES est nulle (aucune consultation de médecin généraliste accessible), il n'y a pas d'accessibilité à répartir selon l'âge des médecins."

const defaultReason = "Donnée non disponible dans les sources intégrées pour ce niveau."

// gapOf returns the gap of field in gaps, or nil.
func gapOf(gaps []diagnostic.Gap, field string) *diagnostic.Gap {
	for i := range gaps {
		if gaps[i].Field == field {
			return &gaps[i]
		}
	}
	return nil
}

// reasonFor is the footnote of a missing figure: its Gap's reason, or the
// fallback of the field.
func reasonFor(g *diagnostic.Gap, field string) string {
	if g != nil && g.Reason != "" {
		return g.Reason
	}
	if r, ok := fallbackReasons[field]; ok {
		return r
	}
	return defaultReason
}

// cell formats one figure of a section: text when present, "n.d." with a
// note when missing, the text with a note when its Gap says it is partial.
func (b *notebook) cell(sec string, gaps []diagnostic.Gap, field, text string, missing bool) fig {
	g := gapOf(gaps, field)
	switch {
	case missing:
		return fig{Text: NA, Sec: sec, Notes: []int{b.ref(sec, reasonFor(g, field))}}
	case g != nil:
		return fig{Text: text, Sec: sec, Notes: []int{b.ref(sec, g.Reason)}, Partial: g.Status == diagnostic.GapPartial}
	}
	return fig{Text: text, Sec: sec}
}

func (b *notebook) num(sec string, gaps []diagnostic.Gap, field string, v *float64, prec int) fig {
	return b.cell(sec, gaps, field, NumP(v, prec), v == nil)
}

func (b *notebook) pct(sec string, gaps []diagnostic.Gap, field string, v *float64, prec int) fig {
	return b.cell(sec, gaps, field, PctP(v, prec), v == nil)
}

func (b *notebook) count(sec string, gaps []diagnostic.Gap, field string, v *int) fig {
	return b.cell(sec, gaps, field, IntP(v), v == nil)
}

// plain is a figure without note.
func plain(s string) fig { return fig{Text: s} }

// withNote adds a note to a figure.
func (b *notebook) withNote(f fig, sec, reason string) fig {
	f.Sec = sec
	n := b.ref(sec, reason)
	for _, x := range f.Notes {
		if x == n {
			return f
		}
	}
	f.Notes = append(f.Notes, n)
	return f
}
