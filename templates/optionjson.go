package templates

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeOption is json.Unmarshal of a chart option into a map, for the
// JSON encoding/json's Marshal writes: no blanks, keys and values as
// Marshal escapes them. encoding/json decodes through its scanner and
// reflection, and that was two thirds of the cost of a chart's option, ten
// charts a page. Anything else than Marshal's forms (blanks, a surrogate
// escaped, a malformed document) is left to json.Unmarshal, so that the
// answer is always Unmarshal's; TestDecodeOptionAsUnmarshal compares
// both on real pages and on edge cases, FuzzDecodeOption on any input.
func decodeOption(b []byte) (map[string]any, error) {
	d := optionDecoder{b: b}
	if v, ok := d.value(); ok && d.i == len(b) {
		if m, isMap := v.(map[string]any); isMap {
			return m, nil
		}
	}
	var m map[string]any
	err := json.Unmarshal(b, &m)
	return m, err
}

type optionDecoder struct {
	b []byte
	i int
}

// value decodes the value at d.i; false when it is not in one of
// Marshal's forms.
func (d *optionDecoder) value() (any, bool) {
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		d.i++
		m := map[string]any{}
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return m, true
		}
		for {
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return nil, false
			}
			k, ok := d.str()
			if !ok || d.i >= len(d.b) || d.b[d.i] != ':' {
				return nil, false
			}
			d.i++
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			m[k] = v // a repeated key: the last one, as Unmarshal
			if d.i >= len(d.b) {
				return nil, false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
			case '}':
				d.i++
				return m, true
			default:
				return nil, false
			}
		}
	case c == '[':
		d.i++
		s := []any{}
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return s, true
		}
		for {
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			s = append(s, v)
			if d.i >= len(d.b) {
				return nil, false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
			case ']':
				d.i++
				return s, true
			default:
				return nil, false
			}
		}
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *optionDecoder) literal(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

// number decodes a number of JSON's grammar as a float64.
func (d *optionDecoder) number() (any, bool) {
	start := d.i
	i := d.i
	if d.b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d.b) && d.b[i] >= '0' && d.b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d.b) && d.b[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, false
	}
	if i < len(d.b) && d.b[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(d.b) && (d.b[i] == 'e' || d.b[i] == 'E') {
		i++
		if i < len(d.b) && (d.b[i] == '+' || d.b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:i]), 64)
	if err != nil { // out of range: Unmarshal's error
		return nil, false
	}
	d.i = i
	return f, true
}

// str decodes the string at d.i (its opening quote).
func (d *optionDecoder) str() (string, bool) {
	d.i++
	start := d.i
	// Most strings have no escape: a slice of the input.
	for i := start; i < len(d.b); i++ {
		switch c := d.b[i]; {
		case c == '"':
			d.i = i + 1
			return string(d.b[start:i]), true
		case c == '\\':
			return d.escapedStr(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false // Unmarshal replaces it: left to it
			}
			i += size - 1
		}
	}
	return "", false
}

// escapedStr decodes a string with escapes, from start (after its quote).
func (d *optionDecoder) escapedStr(start int) (string, bool) {
	out := make([]byte, 0, 32)
	for i := start; i < len(d.b); {
		c := d.b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return string(out), true
		case c == '\\':
			if i+1 >= len(d.b) {
				return "", false
			}
			switch e := d.b[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if i+6 > len(d.b) {
					return "", false
				}
				n, err := strconv.ParseUint(string(d.b[i+2:i+6]), 16, 16)
				if err != nil || n >= 0xD800 && n < 0xE000 { // a surrogate: left to Unmarshal
					return "", false
				}
				out = utf8.AppendRune(out, rune(n))
				i += 6
				continue
			default:
				return "", false
			}
			i += 2
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			out = append(out, d.b[i:i+size]...)
			i += size
		default:
			out = append(out, c)
			i++
		}
	}
	return "", false
}
