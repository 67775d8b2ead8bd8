package rpps

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestPersonKeyEncoding: digit identifiers are encoded with their length (leading
// zeros matter, 8 RPPS vs 0 ADELI), anything else — letters, separators,
// more than 16 characters — is hashed with the top bit set, and the
// national identifier wins over the identifier PP.
func TestPersonKeyEncoding(t *testing.T) {
	if got, want := personKey("81000000001"), uint64(11)<<56|81000000001; got != want {
		t.Errorf("digits: %x, want %x", got, want)
	}
	if personKey("0123") == personKey("123") {
		t.Error("leading zero ignored")
	}
	for _, id := range []string{"ABC", "12/3", "12345678901234567", "1234567890123456a", ""} {
		if k := personKey(id); k&(1<<63) == 0 {
			t.Errorf("%q not hashed: %x", id, k)
		}
	}
	if k := personKey("1234567890123456"); k&(1<<63) != 0 || k != uint64(16)<<56|1234567890123456 {
		t.Errorf("16 digits hashed: %x", k)
	}
	if PersonKey("810001", "0123") != personKey("810001") || PersonKey("", "0123") != personKey("0123") {
		t.Error("the national identifier must win, the identifier PP be the fallback")
	}
}

// TestAggregatorRules: a person counts once per commune whatever their
// sites there, shares split across communes, the GP flag comes from the
// activity or the companion file of a médecin only, and counts come sorted
// by commune, profession, non-GP before GP.
func TestAggregatorRules(t *testing.T) {
	g := NewAggregator()
	add := func(nat, prof, sf, commune string) {
		g.Add(&Activity{NationalID: nat, Profession: prof, SavoirFaire: sf, Commune: commune})
	}
	add("81", Medecin, "SM54", "77333") // GP by the activity line
	add("81", Medecin, "SM54", "77333") // a second site in the same commune
	add("81", Medecin, "SM54", "77016") // and one in another commune
	add("82", Medecin, "", "77333")     // GP by the companion file
	add("83", Medecin, "SM37", "77333") // a specialist
	add("84", "40", "", "77333")        // a dentist…
	add("85", "60", "", "01001")
	add("86", Medecin, "", "01001") // GP by a companion line without profession
	g.AddSavoirFaire(&SavoirFaire{NationalID: "86", Code: "SM53"})
	g.AddSavoirFaire(&SavoirFaire{NationalID: "82", Profession: Medecin, Code: "SM54"})
	g.AddSavoirFaire(&SavoirFaire{NationalID: "84", Profession: "40", Code: "SM54"}) // …never a GP
	got := g.Counts()
	type row struct {
		commune, prof string
		gp            bool
		people        int
		share         float64
	}
	want := []row{
		{"01001", Medecin, true, 1, 1},
		{"01001", "60", false, 1, 1},
		{"77016", Medecin, true, 1, 0.5},
		{"77333", Medecin, false, 1, 1},
		{"77333", Medecin, true, 2, 1.5},
		{"77333", "40", false, 1, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("counts %+v", got)
	}
	for i, w := range want {
		c := got[i]
		if c.Commune != w.commune || c.Profession != w.prof || c.GP != w.gp || c.People != w.people || math.Abs(c.Share-w.share) > 1e-12 {
			t.Errorf("count %d = %+v, want %+v", i, c, w)
		}
	}
}

// TestGPFlagIsAMedecinsOwn: a person registered in two professions is a GP
// only in their médecin count, and only a médecin line's savoir-faire
// makes them one: a GP who is also a pharmacien counts as a non-GP
// pharmacien; a médecin specialist whose other profession's line carries
// SM54 stays a specialist.
func TestGPFlagIsAMedecinsOwn(t *testing.T) {
	g := NewAggregator()
	g.Add(&Activity{NationalID: "91", Profession: Medecin, SavoirFaire: "SM54", Commune: "77333"})
	g.Add(&Activity{NationalID: "91", Profession: Pharmacien, Commune: "77333"})
	g.Add(&Activity{NationalID: "92", Profession: Medecin, SavoirFaire: "SM37", Commune: "77186"})
	g.Add(&Activity{NationalID: "92", Profession: Infirmier, SavoirFaire: "SM54", Commune: "77186"})
	var got []string
	for _, c := range g.Counts() {
		got = append(got, fmt.Sprintf("%s/%s/gp=%v/%d", c.Commune, c.Profession, c.GP, c.People))
	}
	if s := strings.Join(got, " "); s != "77186/10/gp=false/1 77186/60/gp=false/1 77333/10/gp=true/1 77333/21/gp=false/1" {
		t.Errorf("counts %s", s)
	}
}
