package access

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/traveltimes"
)

// ReadTravelTimes reads a travel-time CSV into a Matrix, for the tests.
func ReadTravelTimes(r io.Reader, name string) (*Matrix, error) {
	pairs, err := traveltimes.Read(r, name)
	if err != nil {
		return nil, err
	}
	return NewMatrix(pairs), nil
}

func TestNewMatrix(t *testing.T) {
	pairs := []Pair{
		{From: "01001", To: "01004", Minutes: 12.5, Line: 2},
		{From: "01004", To: "2A004", Minutes: 7, Line: 4},
		{From: "2A004", To: "01004", Minutes: 9, Line: 5},
		{From: "75056", To: "75056", Minutes: 0, Line: 6},
	}
	m := NewMatrix(pairs)
	pairs[0].Minutes = 99 // the Matrix keeps its own copy
	if m.Len() != 4 || m.Pairs()[0].Minutes != 12.5 || m.Pairs()[3].Line != 6 {
		t.Errorf("pairs %+v", m.Pairs())
	}
	for _, c := range []struct {
		from, to string
		want     float64
		ok       bool
	}{
		{"01001", "01004", 12.5, true},
		{"01004", "01001", 12.5, true}, // the reverse of a listed pair takes its time
		{"01004", "2A004", 7, true},    // each listed direction its own time
		{"2A004", "01004", 9, true},
		{"75056", "75056", 0, true},
		{"01001", "2A004", 0, false}, // not listed
	} {
		if v, ok := m.Lookup(c.from, c.to); v != c.want || ok != c.ok {
			t.Errorf("Lookup(%s, %s) = %v, %v, want %v, %v", c.from, c.to, v, ok, c.want, c.ok)
		}
	}
	for id, want := range map[string]string{"01004": "01001 2A004", "2A004": "01004", "75056": "75056", "69123": ""} {
		if l := m.Listed(id); strings.Join(l, " ") != want {
			t.Errorf("listed with %s: %v, want %s", id, l, want)
		}
	}
	var none *Matrix
	if _, ok := none.Lookup("a", "b"); ok || none.Listed("a") != nil {
		t.Error("a nil Matrix lists something")
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
