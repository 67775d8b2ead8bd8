package place

import "testing"

func TestArrondissementOfPostcode(t *testing.T) {
	for _, c := range []struct{ commune, postcode, want string }{
		{"75056", "75001", "75101"},
		{"75056", "75020", "75120"},
		{"75056", "75016", "75116"},
		{"75056", "75116", "75116"},
		{"75056", "75571", ""}, // CEDEX
		{"75056", "75021", ""},
		{"69123", "69003", "69383"},
		{"69123", "69009", "69389"},
		{"69123", "69010", ""},
		{"13055", "13016", "13216"},
		{"13055", "13001", "13201"},
		{"13055", "13100", ""},
		{"13055", "13017", ""},
		{"77333", "77140", ""},
	} {
		if got := ArrondissementOfPostcode(c.commune, c.postcode); got != c.want {
			t.Errorf("ArrondissementOfPostcode(%s, %s) = %q, want %q", c.commune, c.postcode, got, c.want)
		}
	}
}

func TestDepOfFiness(t *testing.T) {
	for in, want := range map[string]string{"770000214": "77", "2A0000014": "2A", "970400024": "974", "970211215": "972", "970300026": "973", "970106985": "971", "x": ""} {
		if got := DepOfFiness(in); got != want {
			t.Errorf("DepOfFiness(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCity(t *testing.T) {
	for in, want := range map[string]string{"ST DENIS CEDEX": "saint denis", "FORT DE FRANCE CEDEX 1": "fort de france", "STE CLOTILDE CEDEX": "sainte clotilde"} {
		if got := City(in); got != want {
			t.Errorf("City(%q) = %q, want %q", in, got, want)
		}
	}
}
