package templates

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The page's data (the chart options and the contours) is tens of
// kilobytes to megabytes of JSON per page, mostly generic maps and slices
// (the decoded go-echarts options). encoding/json walks them through
// reflection and sorts each map's keys through reflect.Value: a tenth of
// the page's time. appendJSON writes the same bytes for the few types the
// options are made of, and hands any other type to json.Marshal;
// TestAppendJSONMatchesMarshal (pagejson_test.go) holds it to json.Marshal on real pages and
// on edge cases.

// dataScript is the page's data script: the contours and the charts.
type dataScript struct {
	Geo    *featureCollection `json:"geo"`
	Charts []chartSpec        `json:"charts"`
}

// marshalDataScript is json.Marshal(d), without its reflection.
func marshalDataScript(d dataScript) ([]byte, error) {
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"geo":`...)
	var err error
	if d.Geo == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"type":`...)
		b = appendJSONString(b, d.Geo.Type)
		b = append(b, `,"features":`...)
		if d.Geo.Features == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, f := range d.Geo.Features {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"type":`...)
				b = appendJSONString(b, f.Type)
				b = append(b, `,"properties":`...)
				if b, err = appendJSON(b, f.Properties); err != nil {
					return nil, err
				}
				b = append(b, `,"geometry":`...)
				if b, err = appendJSON(b, f.Geometry); err != nil {
					return nil, err
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `,"charts":`...)
	if d.Charts == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range d.Charts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, c.ID)
			b = append(b, `,"dec":`...)
			b = strconv.AppendInt(b, int64(c.Dec), 10)
			b = append(b, `,"unit":`...)
			b = appendJSONString(b, c.Unit)
			b = append(b, `,"axdec":`...)
			b = strconv.AppendInt(b, int64(c.AxDec), 10)
			b = append(b, `,"option":`...)
			if b, err = appendJSON(b, c.Option); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendJSON appends v as json.Marshal writes it.
func appendJSON(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		return appendJSONFloat(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			if b, err = appendJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		return appendJSONSlice(b, x)
	case []map[string]any:
		return appendJSONSlice(b, x)
	case []string:
		return appendJSONSlice(b, x)
	case []float64:
		return appendJSONSlice(b, x)
	case json.RawMessage:
		return appendRawJSON(b, x)
	}
	// Any other type (a json.RawMessage is compacted and checked), as
	// encoding/json writes it.
	m, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, m...), nil
}

func appendJSONSlice[T any](b []byte, s []T) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendJSON(b, e); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendJSONFloat writes a float64 as encoding/json does: like ES6, 'f'
// between 1e-6 and 1e21, 'e' without a padded exponent beyond.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as encoding/json does with its HTML escaping
// (the data is inside a script element): ", \ and control characters
// escaped, <, > and & as \u003c…, invalid UTF-8 as \ufffd, and U+2028
// and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// rawJSON are the raw messages (the contours) json.Marshal wrote in this
// process, compacted and escaped, by raw bytes, up to rawJSONMax bytes
// (raw and written): a batch by commune draws each commune on its own page
// and on its neighbours', and json.Marshal scans each contour byte by byte.
var rawJSON = struct {
	sync.Mutex
	m     map[string][]byte
	bytes int
}{m: map[string][]byte{}}

const (
	rawJSONMax = 32 << 20
	rawJSONMin = 256 // smaller ones are marshalled each time
)

// appendRawJSON appends a raw message as json.Marshal writes it.
func appendRawJSON(b []byte, raw json.RawMessage) ([]byte, error) {
	if len(raw) >= rawJSONMin {
		rawJSON.Lock()
		m, ok := rawJSON.m[string(raw)]
		rawJSON.Unlock()
		if ok {
			return append(b, m...), nil
		}
	}
	m, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	if len(raw) >= rawJSONMin {
		rawJSON.Lock()
		if _, ok := rawJSON.m[string(raw)]; !ok && rawJSON.bytes+len(raw)+len(m) <= rawJSONMax {
			rawJSON.m[string(raw)] = m
			rawJSON.bytes += len(raw) + len(m)
		}
		rawJSON.Unlock()
	}
	return append(b, m...), nil
}
