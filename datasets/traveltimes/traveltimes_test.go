package traveltimes

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

func TestRead(t *testing.T) {
	in := "\ufeffOrigin;Destination;Minutes;km\r\n" +
		"1001;01004;12,5;9\r\n" +
		"\r\n" +
		"  \r\n" +
		"\"01004\" ; \"2a004\" ; 7 ; 3\r\n" +
		"75056;75056;0;0\r\n"
	got, err := Read(strings.NewReader(in), "times.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{
		{From: "01001", To: "01004", Minutes: 12.5, Line: 2},
		{From: "01004", To: "2A004", Minutes: 7, Line: 5},
		{From: "75056", To: "75056", Minutes: 0, Line: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("pairs %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// Comma-separated, columns in another order, identifiers other than
	// INSEE codes kept as given.
	got, err = Read(strings.NewReader("minutes,origin,destination\n3.25,38185,38421.0\n4,site-a,2b033\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Pair{From: "38185", To: "38421", Minutes: 3.25, Line: 2}) || got[1] != (Pair{From: "site-a", To: "2B033", Minutes: 4, Line: 3}) {
		t.Errorf("comma file: %+v", got)
	}
}

func TestReadErrors(t *testing.T) {
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
		{"long line", "origin;destination;minutes\n" + strings.Repeat("1", MaxLine+1) + "\n", 2, 0, "longer"},
		{"long line at the end", "origin;destination;minutes\n01001;01004;12\n" + strings.Repeat("1", MaxLine+1), 3, 0, "longer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in), "f.csv")
			pe, ok := parseerr.As(err)
			if !ok {
				t.Fatalf("error %v is not a *parseerr.Error", err)
			}
			if pe.File != "f.csv" || pe.Line != c.line || pe.Column != c.col || !strings.Contains(pe.Error(), c.msg) {
				t.Errorf("got %q (line %d col %d), want line %d col %d with %q", pe.Error(), pe.Line, pe.Column, c.line, c.col, c.msg)
			}
		})
	}
	// A line of exactly MaxLine bytes is a line, not an error.
	row := "01001;01004;" + strings.Repeat("0", MaxLine-len("01001;01004;")-1) + "7"
	if p, err := Read(strings.NewReader("origin;destination;minutes\n"+row+"\n"), "f.csv"); err != nil || len(p) != 1 || p[0].Minutes != 7 {
		t.Errorf("line of %d bytes: %+v, %v", len(row), p, err)
	}
}

// FuzzRead checks that the reader never panics, reports every failure as a
// positioned *parseerr.Error, and that what it accepts survives a write
// and a second read unchanged.
func FuzzRead(f *testing.F) {
	f.Add("origin;destination;minutes\n01001;01004;12,5\n")
	f.Add("\ufefforigin,destination,minutes\r\n1001,2A004,3\r\n")
	f.Add("minutes;origin;destination;km\n\"7\";\"75056\";\"69123\";400\n")
	f.Add("origin;destination;minutes\n01001;01004\n")
	f.Fuzz(func(t *testing.T, in string) {
		pairs, err := Read(strings.NewReader(in), "fuzz.csv")
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
		for _, p := range pairs {
			if p.From == "" || p.To == "" || math.IsNaN(p.Minutes) || math.IsInf(p.Minutes, 0) || p.Minutes < 0 {
				t.Fatalf("accepted pair %+v", p)
			}
			b.WriteString(p.From + ";" + p.To + ";" + strconv.FormatFloat(p.Minutes, 'g', -1, 64) + "\n")
		}
		again, err := Read(strings.NewReader(b.String()), "again.csv")
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		if len(pairs) != len(again) {
			t.Fatalf("%d pairs, %d after a round trip", len(pairs), len(again))
		}
		for i := range pairs {
			if pairs[i].From != again[i].From || pairs[i].To != again[i].To || pairs[i].Minutes != again[i].Minutes {
				t.Fatalf("pair %+v became %+v", pairs[i], again[i])
			}
		}
	})
}
