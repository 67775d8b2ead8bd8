// Package jsonsplit cuts a JSON object into its members without decoding
// their values: the snapshot's contour files and the stored comparison
// levels are objects of a few hundred members, of which a command reads a
// handful. encoding/json validates and scans every value twice to fill a
// map[string]json.RawMessage; Object finds where each value ends by
// counting brackets, outside strings, in one pass.
package jsonsplit

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Object returns the members of the JSON object b, as
// json.Unmarshal(b, &map[string]json.RawMessage{}) would for valid JSON:
// the same keys, each value's bytes without the white space around it,
// the last of duplicate keys. The values are not validated, only
// delimited: a caller that writes one out, or trusts its syntax, checks it
// (json.Valid, or json.Unmarshal which validates). The values share b's
// memory. A key with an escape sequence or invalid UTF-8 is decoded by
// encoding/json.
func Object(b []byte) (map[string]json.RawMessage, error) {
	p := ws(b, 0)
	if p >= len(b) || b[p] != '{' {
		return nil, syntaxError(b, p, "a JSON object")
	}
	m := map[string]json.RawMessage{}
	p = ws(b, p+1)
	if p < len(b) && b[p] == '}' {
		return m, end(b, p+1)
	}
	for {
		if p >= len(b) || b[p] != '"' {
			return nil, syntaxError(b, p, "a member name")
		}
		kEnd, escaped := stringEnd(b, p)
		if kEnd < 0 {
			return nil, syntaxError(b, p, "the end of the member name")
		}
		if escaped || !utf8.Valid(b[p+1:kEnd-1]) { // as encoding/json decodes it
			var full map[string]json.RawMessage
			if err := json.Unmarshal(b, &full); err != nil {
				return nil, err
			}
			return full, nil
		}
		key := string(b[p+1 : kEnd-1])
		p = ws(b, kEnd)
		if p >= len(b) || b[p] != ':' {
			return nil, syntaxError(b, p, "':'")
		}
		p = ws(b, p+1)
		vEnd, err := valueEnd(b, p)
		if err != nil {
			return nil, err
		}
		m[key] = json.RawMessage(b[p:vEnd:vEnd])
		p = ws(b, vEnd)
		if p >= len(b) {
			return nil, syntaxError(b, p, "',' or '}'")
		}
		switch b[p] {
		case ',':
			p = ws(b, p+1)
		case '}':
			return m, end(b, p+1)
		default:
			return nil, syntaxError(b, p, "',' or '}'")
		}
	}
}

// ws skips white space from p.
func ws(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\n' || b[p] == '\t' || b[p] == '\r') {
		p++
	}
	return p
}

// end checks that only white space follows p.
func end(b []byte, p int) error {
	if p = ws(b, p); p != len(b) {
		return syntaxError(b, p, "nothing after the object")
	}
	return nil
}

// stringEnd returns the offset after the string that starts at p (a
// quote), -1 if it does not end, and whether it holds an escape.
func stringEnd(b []byte, p int) (int, bool) {
	escaped := false
	for i := p + 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			return -1, escaped
		}
	}
	return -1, escaped
}

// valueEnd returns the offset after the value that starts at p.
func valueEnd(b []byte, p int) (int, error) {
	if p >= len(b) {
		return 0, syntaxError(b, p, "a value")
	}
	switch b[p] {
	case '"':
		e, _ := stringEnd(b, p)
		if e < 0 {
			return 0, syntaxError(b, p, "the end of the string")
		}
		return e, nil
	case '{', '[':
		depth := 0
		for i := p; i < len(b); i++ {
			switch b[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			case '"':
				e, _ := stringEnd(b, i)
				if e < 0 {
					return 0, syntaxError(b, i, "the end of the string")
				}
				i = e - 1
			}
		}
		return 0, syntaxError(b, len(b), "the end of the value")
	}
	// A number, true, false or null: up to the next delimiter.
	i := p
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	if i == p {
		return 0, syntaxError(b, p, "a value")
	}
	return i, nil
}

var errSyntax = errors.New("invalid JSON")

func syntaxError(b []byte, p int, want string) error {
	return fmt.Errorf("%w: want %s at offset %d of %d", errSyntax, want, p, len(b))
}
