package templates

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// checkDecodeOption fails when decodeOption(b) is not json.Unmarshal's
// answer (the same map, or an error both).
func checkDecodeOption(t *testing.T, b []byte) {
	t.Helper()
	var want map[string]any
	wantErr := json.Unmarshal(b, &want)
	got, err := decodeOption(b)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%.200q: error %v, json.Unmarshal's %v", b, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%.200q:\n got %#v\nwant %#v", b, got, want)
	}
}

// TestDecodeOptionAsUnmarshal: decodeOption gives json.Unmarshal's map
// for the options of the charts of real pages (as go-echarts writes them,
// and as the page writes them, with the settings added), and for JSON
// outside Marshal's forms (blanks, escapes, surrogates, numbers out of
// range, malformed documents).
func TestDecodeOptionAsUnmarshal(t *testing.T) {
	n := 0
	for _, item := range []string{"13004", "epci:200023240", `cpts:"CPTS Actes Santé"`} {
		r, contours := testReport(t, item)
		v, err := newView(r, contours, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.Charts {
			b, err := json.Marshal(c.Option)
			if err != nil {
				t.Fatal(err)
			}
			checkDecodeOption(t, b)
			n++
		}
	}
	if n < 20 {
		t.Errorf("%d chart options compared, want at least 20", n)
	}
	// As go-echarts writes an option: its fields in its order, texts
	// escaped for HTML.
	b := charts.NewBar()
	b.SetGlobalOptions(charts.WithInitializationOpts(opts.Initialization{ChartID: "x"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}))
	b.SetXAxis([]string{"Territoire <b>", "Département & co", "« Région »"})
	b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: "l'APL", Type: "bar", Data: []tipItem{
		{Name: "a", Value: 2.5, Tip: "<b>Arles</b> (13004)<br>APL : 2,5\u2028"}, {Name: "b", Value: nil}, {Name: "c", Value: []float64{4.8, 43.3}}}})
	b.Validate()
	raw, err := json.Marshal(b.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `\u003cb\u003e`) || !strings.Contains(string(raw), `\u2028`) {
		t.Fatalf("go-echarts' option lacks the escapes compared: %s", raw)
	}
	checkDecodeOption(t, raw)

	for _, s := range []string{
		`{}`, `{"a":{},"b":[],"c":[{}],"d":null,"e":true,"f":false}`, `{"a":1,"a":2}`,
		`{"n":[0,-0,1.5,-2.5e-7,1E+21,123456789012345678901234567890,5e-324,0.1]}`,
		`{"s":"\"\\\/\b\f\n\r\t\u00e9\u0000\u001f\u003c\u2028 é 😀"}`, `{"k\u00e9y":"v"}`,
		`{"s":"\ud83d\ude00"}`, `{"s":"\ud83d"}`, `{"s":"\udc00x"}`, `{"s":"bad \xff"}`, `{"s":"x` + "\x01" + `"}`,
		`{ "a" : 1 }`, "{\"a\":\n1}", `{"a":1e400}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`,
		`{"a":"\u12"}`, `{"a":"\x"}`, `{"a":"\uZZZZ"}`, `{"a":tru}`, `{"a":nul}`, `{"a":1,}`, `{"a"}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		`{"a":1}x`, `{"a":1} `, `[1]`, `null`, `"s"`, `1`, ``, `{`, `{"a":[`, `{"a":"`, `{"a":"\`,
	} {
		checkDecodeOption(t, []byte(s))
	}
}

// FuzzDecodeOption: on any input, decodeOption answers as json.Unmarshal.
func FuzzDecodeOption(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x\u003c",{"b":null}],"c":-2.5e3}`, `{"s":"\ud83d\ude00 é"}`, `{ }`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeOption(t, b) })
}
