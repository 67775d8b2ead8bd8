package access

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

func TestReadTravelTimes(t *testing.T) {
	in := "\ufeffOrigin;Destination;Minutes;km\r\n" +
		"1001;01004;12,5;9\r\n" +
		"\r\n" +
		"\"01004\" ; \"2a004\" ; 7 ; 3\r\n" +
		"75056;75056;0;0\r\n"
	m, err := ReadTravelTimes(strings.NewReader(in), "times.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{
		{From: "01001", To: "01004", Minutes: 12.5, Line: 2},
		{From: "01004", To: "2A004", Minutes: 7, Line: 4},
		{From: "75056", To: "75056", Minutes: 0, Line: 5},
	}
	got := m.Pairs()
	if len(got) != len(want) {
		t.Fatalf("pairs %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The reverse of a listed pair takes its time; an unlisted pair is not
	// known.
	if v, ok := m.Lookup("01004", "01001"); !ok || v != 12.5 {
		t.Errorf("reverse lookup = %v, %v", v, ok)
	}
	if _, ok := m.Lookup("01001", "2A004"); ok {
		t.Error("unlisted pair found")
	}
	if l := m.Listed("01004"); strings.Join(l, " ") != "01001 2A004" {
		t.Errorf("listed with 01004: %v", l)
	}

	// Comma-separated, columns in another order.
	m, err = ReadTravelTimes(strings.NewReader("minutes,origin,destination\n3.25,38185,38421\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Lookup("38185", "38421"); !ok || v != 3.25 {
		t.Errorf("comma file: %v %v", v, ok)
	}
}

func TestReadTravelTimesErrors(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"empty", "", 0, 0, "empty file"},
		{"blank only", "\n \n", 0, 0, "empty file"},
		{"no header", "01001;01004;12\n", 1, 0, "does not name"},
		{"twice", "origin;origin;minutes\n", 1, 0, "twice"},
		{"fields", "origin;destination;minutes\n01001;01004\n", 2, 3, "2 fields"},
		{"decimal comma with commas", "origin,destination,minutes\n01001,01004,12,5\n", 2, 4, "4 fields"},
		{"empty code", "origin;destination;minutes\n01001;;12\n", 2, 2, "empty code"},
		{"space in code", "origin;destination;minutes\n01 001;01004;12\n", 2, 1, "space"},
		{"not a number", "origin;destination;minutes\n01001;01004;douze\n", 2, 3, "not a number"},
		{"negative", "origin;destination;minutes\n01001;01004;-1\n", 2, 3, "negative"},
		{"infinite", "origin;destination;minutes\n01001;01004;Inf\n", 2, 3, "not a number"},
		{"duplicate", "origin;destination;minutes\n01001;01004;12\n01002;01004;3\n1001;01004;12\n", 4, 1, "line 2"},
		{"minutes column", "destination;minutes;origin\n01004;x;01001\n", 2, 2, "minutes"},
		{"long line", "origin;destination;minutes\n" + strings.Repeat("1", maxLine+1) + "\n", 2, 0, "longer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadTravelTimes(strings.NewReader(c.in), "f.csv")
			pe, ok := parseerr.As(err)
			if !ok {
				t.Fatalf("error %v is not a *parseerr.Error", err)
			}
			if pe.File != "f.csv" || pe.Line != c.line || pe.Column != c.col || !strings.Contains(pe.Error(), c.msg) {
				t.Errorf("got %q (line %d col %d), want line %d col %d with %q", pe.Error(), pe.Line, pe.Column, c.line, c.col, c.msg)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	m, err := ReadTravelTimes(strings.NewReader("origin;destination;minutes\nA;B;30\nB;A;25\nA;C;4\n"), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	fb := NewModel(Params{Access: 0, Detour: 1, Start: 60, Cruise: 60, Ramp: 1}) // one minute per km
	far := Point{45, 3.5}
	at := Point{45, 3}
	o := &Override{Matrix: m, Fallback: fb}
	for _, c := range []struct {
		from, to string
		want     float64
	}{
		{"A", "B", 30}, {"B", "A", 25}, // each direction its own time
		{"C", "A", 4}, // reverse of a listed pair
		{"A", "D", fb.Minutes("A", "D", at, far)},
		{"D", "D", 0},
	} {
		if got := o.Minutes(c.from, c.to, at, far); got != c.want {
			t.Errorf("%s→%s = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if r := o.ReachKm(20); math.Abs(r-20) > 1e-6 {
		t.Errorf("reach with fallback = %v, want 20 km", r)
	}
	strict := &Override{Matrix: m}
	if got := strict.Minutes("A", "D", at, far); !math.IsInf(got, 1) {
		t.Errorf("unlisted pair without fallback = %v, want +Inf", got)
	}
	if got := strict.Minutes("D", "D", at, far); got != 0 {
		t.Errorf("place to itself without fallback = %v", got)
	}
	if r := strict.ReachKm(20); r != 0 {
		t.Errorf("reach without fallback = %v", r)
	}
}

// FuzzReadTravelTimes checks that the reader never panics, reports every
// failure as a positioned *parseerr.Error, and that what it accepts
// survives a write and a second read unchanged.
func FuzzReadTravelTimes(f *testing.F) {
	f.Add("origin;destination;minutes\n01001;01004;12,5\n")
	f.Add("\ufefforigin,destination,minutes\r\n1001,2A004,3\r\n")
	f.Add("minutes;origin;destination;km\n\"7\";\"75056\";\"69123\";400\n")
	f.Add("origin;destination;minutes\n01001;01004\n")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ReadTravelTimes(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			pe, ok := parseerr.As(err)
			if !ok {
				t.Fatalf("error %v is not a *parseerr.Error", err)
			}
			if pe.File != "fuzz.csv" || pe.Line < 0 || pe.Column < 0 {
				t.Fatalf("bad position in %v", pe)
			}
			return
		}
		var b strings.Builder
		b.WriteString("origin;destination;minutes\n")
		for _, p := range m.Pairs() {
			if p.From == "" || p.To == "" || math.IsNaN(p.Minutes) || math.IsInf(p.Minutes, 0) || p.Minutes < 0 {
				t.Fatalf("accepted pair %+v", p)
			}
			b.WriteString(p.From + ";" + p.To + ";" + strconv.FormatFloat(p.Minutes, 'g', -1, 64) + "\n")
		}
		m2, err := ReadTravelTimes(strings.NewReader(b.String()), "again.csv")
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		p1, p2 := m.Pairs(), m2.Pairs()
		if len(p1) != len(p2) {
			t.Fatalf("%d pairs, %d after a round trip", len(p1), len(p2))
		}
		for i := range p1 {
			if p1[i].From != p2[i].From || p1[i].To != p2[i].To || p1[i].Minutes != p2[i].Minutes {
				t.Fatalf("pair %+v became %+v", p1[i], p2[i])
			}
		}
	})
}
