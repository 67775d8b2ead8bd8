package diagnostic

import (
	"reflect"
	"testing"
)

// TestAPLIndexOf: the index of a few places gives for them exactly what the
// index of all of France gives — a commune, a commune nouvelle rolling up
// the rows of its old communes, an arrondissement, the whole of Paris,
// Lyon and Marseille — and nothing for the places not asked for.
func TestAPLIndexOf(t *testing.T) {
	e := realEngine(t)
	codes := []string{"77333", "01033", "75101", "75056", "69123", "13055", "48095"}
	some := NewAPLIndexOf(e.Snap, codes)
	for _, code := range codes {
		for _, v := range []int{2022, 2023} {
			want, wok := e.APL.Get(code, v)
			got, gok := some.Get(code, v)
			if !wok || !gok || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %d: %v %+v, want %v %+v", code, v, gok, got, wok, want)
			}
		}
	}
	if a, ok := some.Get("75056", 2023); !ok || a.Parts() != 20 {
		t.Errorf("Paris rolls up %d rows, want its 20 arrondissements", a.Parts())
	}
	for _, code := range []string{"77186", "75102", "69381"} {
		if _, ok := some.Get(code, 2023); ok {
			t.Errorf("%s not asked for but indexed", code)
		}
	}
}
