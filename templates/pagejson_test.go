package templates

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestAppendJSONMatchesMarshal: the page's data is byte for byte what
// json.Marshal writes, on the pages of a commune with neighbours, an EPCI,
// arrondissements and a région's summary, and on values at the edges of
// the encoding (escapes, invalid UTF-8, float formats, nil and empty).
func TestAppendJSONMatchesMarshal(t *testing.T) {
	for _, item := range []string{"13004", "epci:200023240", `cpts:"CPTS Actes Santé"`, "reg:76"} {
		r, contours := testReport(t, item)
		var v *view
		var err error
		if Summarised(r) {
			contours = nil
			v, err = newView(summaryReport(r), nil, r, DepartementParts(r, testEngine))
		} else {
			v, err = newView(r, contours, nil, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		var specs []chartSpec
		for _, s := range v.Charts {
			specs = append(specs, s)
		}
		specs = orderLike(v.Data, specs)
		if len(specs) != len(v.Charts) {
			t.Fatalf("%s: %d charts in the data, %d in the view", item, len(specs), len(v.Charts))
		}
		want, err := json.Marshal(dataScript{Geo: geoCollection(v.R, contours), Charts: specs})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v.Data, want) {
			t.Errorf("%s: the page's data differs from json.Marshal's at byte %d", item, firstDiff(v.Data, want))
		}
		if len(want) < 1000 {
			t.Errorf("%s: %d bytes of data, not a page's", item, len(want))
		}
	}

	var all strings.Builder
	for c := 0; c < 256; c++ {
		all.WriteByte(byte(c))
	}
	values := []any{
		nil, true, false, "", all.String(), "<b>A & B</b>", "\u2028\u2029 é ü \U0001F600", "bad \xff\xfe\xc3",
		0.0, math.Copysign(0, -1), 1.0, -2.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 123456789.125, 5e-324, math.MaxFloat64,
		0, -7, 1 << 40,
		map[string]any{}, map[string]any(nil), map[string]any{"b": 1, "a": []any{"x", 2.0, nil}, "<": map[string]any{"&": false}},
		[]any{}, []any(nil), []string{"a", "<"}, []string(nil), []float64{4.8, 43.3}, []map[string]any{{"lte": 2.5}, nil},
		map[string]string{"z": "y"}, json.RawMessage(`{ "type" : "Point", "coordinates":[1, 2] }`), tipItem{Name: "<x>", Value: 1.5},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
		}
	}
	// A contour: marshalled once, then written from rawJSON.
	big := json.RawMessage(`{ "type" : "Polygon", "name": "<a & b>", "coordinates": [[` + strings.Repeat(`[5.61, 43.2], `, 40) + `[5.6, 43.1]]] }`)
	want, err := json.Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		got, err := appendJSON([]byte("x"), big)
		if err != nil || string(got) != "x"+string(want) {
			t.Errorf("contour, time %d: %s, %v\nwant x%s", i+1, got, err, want)
		}
	}
	if _, ok := rawJSON.m[string(big)]; !ok {
		t.Error("the contour was not kept")
	}
	bad := json.RawMessage(`{"coordinates": [` + strings.Repeat(`[5.61, 43.2], `, 40) + `}`)
	for range 2 {
		if _, err := appendJSON(nil, bad); err == nil {
			t.Error("malformed contour: no error (json.Marshal fails on it)")
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), map[string]any{"x": math.Inf(-1)}} {
		if _, err := appendJSON(nil, v); err == nil {
			t.Errorf("%v: no error (json.Marshal fails on it)", v)
		}
	}
}

// orderLike orders specs as the charts of a page's data.
func orderLike(data []byte, specs []chartSpec) []chartSpec {
	var d struct {
		Charts []struct {
			ID string `json:"id"`
		} `json:"charts"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil
	}
	var out []chartSpec
	for _, c := range d.Charts {
		for _, s := range specs {
			if s.ID == c.ID {
				out = append(out, s)
			}
		}
	}
	return out
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
