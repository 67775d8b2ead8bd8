package snapshot

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestEmbeddedTablesAreTheFolder: every table file of the embedded folder
// is listed in embeddedTables with the same bytes, opens as a tableFile
// through Embedded, and is held in stored blocks that storedSegments reads
// as gzip inflates them.
func TestEmbeddedTablesAreTheFolder(t *testing.T) {
	entries, err := fs.ReadDir(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".tsv.gz") {
			continue
		}
		n++
		want, err := fs.ReadFile(embedded, "data/"+name)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := embeddedTables[name]
		if !ok {
			t.Errorf("%s: not in embeddedTables (it would be copied at each load)", name)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: embeddedTables holds other bytes than the folder", name)
		}
		f, err := Embedded().Open(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := f.(interface{ Contents() string }); !ok {
			t.Errorf("%s: Embedded().Open returns a %T, not a tableFile", name, f)
		}
		f.Close()
		segs, size, ok := storedSegments(got)
		if !ok {
			t.Errorf("%s: not read in place (storedSegments refused it)", name)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(want))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if joined := strings.Join(segs, ""); joined != string(plain) || size != len(plain) {
			t.Errorf("%s: segments of %d bytes (size %d), gzip inflates %d", name, len(joined), size, len(plain))
		}
		if name == EstablishmentsFile && len(segs) < 100 {
			t.Errorf("%s: %d segments: the table is expected in stored blocks of at most 64 KiB", name, len(segs))
		}
	}
	if n != len(embeddedTables) || n < 16 {
		t.Errorf("%d table files in the folder, %d in embeddedTables", n, len(embeddedTables))
	}
}

// TestLoadInPlaceEqualsInflated: the embedded snapshot read in place
// (segments of the program's data, lines cut between blocks joined) holds
// the same rows as the same files inflated through a plain file system.
func TestLoadInPlaceEqualsInflated(t *testing.T) {
	inPlace, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	inflated, err := Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"communes", inPlace.Communes, inflated.Communes},
		{"establishments", inPlace.Establishments, inflated.Establishments},
		{"epci", inPlace.EPCIs, inflated.EPCIs},
		{"liberal", inPlace.Liberal, inflated.Liberal},
		{"postcodes", inPlace.Postcodes, inflated.Postcodes},
		{"apl", inPlace.APL, inflated.APL},
		{"gp", inPlace.GPs, inflated.GPs},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: the rows read in place differ from the inflated ones", c.name)
		}
	}
	if len(inPlace.Establishments) < 40000 || inPlace.Fingerprint() != inflated.Fingerprint() || inPlace.Fingerprint() == "" {
		t.Errorf("%d establishments, fingerprints %q and %q", len(inPlace.Establishments), inPlace.Fingerprint(), inflated.Fingerprint())
	}
}

// TestTableReaderSegments: a table cut anywhere into segments, lines and
// fields included, reads as the whole (rows, fields, line numbers in
// errors), with next and nextWhere.
func TestTableReaderSegments(t *testing.T) {
	table := "code\tname\n01001\tAbergement\n01002\tAbergement-de-Varey\n01004\tAmbérieu\n"
	for cut1 := 0; cut1 <= len(table); cut1++ {
		for cut2 := cut1; cut2 <= len(table); cut2 += 3 {
			segs := []string{table[:cut1], table[cut1:cut2], table[cut2:]}
			r, err := newTableReaderSegments("t.tsv.gz", segs)
			if err != nil {
				t.Fatalf("cuts %d %d: %v", cut1, cut2, err)
			}
			if r.rows != 3 {
				t.Fatalf("cuts %d %d: %d rows, want 3", cut1, cut2, r.rows)
			}
			code, name := r.col("code"), r.col("name")
			var got []string
			for r.next() {
				got = append(got, r.str(code)+"="+r.str(name))
			}
			if want := "01001=Abergement 01002=Abergement-de-Varey 01004=Ambérieu"; strings.Join(got, " ") != want || r.err != nil {
				t.Fatalf("cuts %d %d: %q, %v", cut1, cut2, got, r.err)
			}
			r, _ = newTableReaderSegments("t.tsv.gz", []string{table[:cut1], table[cut1:cut2], table[cut2:]})
			if !r.nextWhere(func(c string) bool { return c == "01004" }) || r.str(name) != "Ambérieu" || r.line != 4 || r.nextWhere(func(string) bool { return true }) {
				t.Fatalf("cuts %d %d: nextWhere found %q at line %d", cut1, cut2, r.str(name), r.line)
			}
		}
	}
	r, _ := newTableReaderSegments("t.tsv.gz", []string{"code\tname\n0100", "1\tA\n01002\n"})
	for r.next() {
	}
	if r.err == nil || r.err.Error() != "t.tsv.gz:3: 1 fields, want 2" {
		t.Errorf("short row after a cut: %v", r.err)
	}
	if _, err := newTableReaderSegments("t.tsv.gz", []string{"code", "\tname"}); err == nil {
		t.Error("a table with no header line accepted")
	}
}

// TestStoredSegmentsRefuses: storedSegments reads only one gzip member of
// stored blocks with consistent lengths; anything else goes to the
// inflater.
func TestStoredSegmentsRefuses(t *testing.T) {
	stored := func(level int, name string, data string) string {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, level)
		zw.Name = name
		zw.Write([]byte(data))
		zw.Close()
		return buf.String()
	}
	data := strings.Repeat("01001\tL'Abergement-Clémenciat\t832\n", 5000)
	if segs, size, ok := storedSegments(stored(gzip.NoCompression, "", data)); !ok || strings.Join(segs, "") != data || size != len(data) || len(segs) != 3 {
		t.Errorf("stored member: ok %v, %d segments, size %d", ok, len(segs), size)
	}
	if segs, _, ok := storedSegments(stored(gzip.NoCompression, "communes.tsv", data)); !ok || strings.Join(segs, "") != data {
		t.Error("stored member with a file name: refused")
	}
	good := stored(gzip.NoCompression, "", "code\n1\n")
	// An empty file name: the name flag, then at once its zero byte.
	if segs, _, ok := storedSegments(good[:3] + "\x08" + good[4:10] + "\x00" + good[10:]); !ok || strings.Join(segs, "") != "code\n1\n" {
		t.Errorf("stored member with an empty file name: ok %v, %q", ok, segs)
	}
	// A length that runs past the trailer: refused, not a slice out of range.
	past := len(good) - 15 + 9
	if _, _, ok := storedSegments(good[:11] + string([]byte{byte(past), byte(past >> 8), ^byte(past), ^byte(past >> 8)}) + good[15:]); ok {
		t.Error("a block running past the trailer: accepted")
	}
	for name, gz := range map[string]string{
		"compressed":          stored(gzip.BestSpeed, "", data),
		"two members":         good + good,
		"bad complement":      good[:13] + "\x00" + good[14:],
		"size in trailer":     good[:len(good)-1] + "\x01",
		"header crc flag":     good[:3] + "\x02" + good[4:],
		"truncated":           good[:len(good)-9],
		"not gzip":            "code\n1\n" + strings.Repeat(" ", 20),
		"empty":               "",
		"name without end":    good[:3] + "\x08" + good[4:10] + "communes",
		"length past the end": good[:11] + "\xff\x7f\x00\x80" + good[15:],
	} {
		if _, _, ok := storedSegments(gz); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzStoredSegments: whatever storedSegments accepts, gzip reads as the
// same bytes (storedSegments does not check the CRC-32: a checksum error
// is the one difference allowed).
func FuzzStoredSegments(f *testing.F) {
	for _, s := range []string{"code\tname\n01001\tA\n", "", strings.Repeat("x\ty\n", 20000)} {
		for _, level := range []int{gzip.NoCompression, gzip.BestSpeed} {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, level)
			zw.Write([]byte(s))
			zw.Close()
			f.Add(buf.Bytes())
		}
	}
	f.Add([]byte(embeddedRegions))
	f.Fuzz(func(t *testing.T, gz []byte) {
		segs, size, ok := storedSegments(string(gz))
		if !ok {
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatalf("accepted, gzip refuses the header: %v", err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil && !errors.Is(err, gzip.ErrChecksum) {
			t.Fatalf("accepted, gzip fails: %v", err)
		}
		if joined := strings.Join(segs, ""); joined != string(plain) || size != len(plain) {
			t.Fatalf("segments %q (size %d), gzip reads %q", joined, size, plain)
		}
	})
}

// TestParseDecimal: the plain decimals of the tables parse as ParseFloat
// parses them, bit for bit; anything else is left to ParseFloat.
func TestParseDecimal(t *testing.T) {
	for _, s := range []string{"48.267", "-1.5", "832", "0", "-0", "+7", "5.", ".5", "43.529742", "0.1", "0.3",
		"4503599627370495", "0.0000000000000000000001", "123456789.12345"} {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseDecimal(s)
		if err != nil || !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("parseDecimal(%q) = %v, %v; ParseFloat %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"", "-", ".", "1e1", "NaN", "Inf", "1_000", "1.2.3", "12a", "4503599627370496", "2.7000000000000001776", "18446744073709551616", "0.00000000000000000000001", "0x10", " 1"} {
		if got, ok := parseDecimal(s); ok {
			t.Errorf("parseDecimal(%q) = %v: accepted", s, got)
		}
	}
}

// FuzzParseDecimal: what parseDecimal accepts, ParseFloat reads as the
// same float64.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"48.267", "-1.5", "832", ".5", "1e1", "0.30000000000000004", "4503599627370495.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDecimal(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseDecimal(%q) = %v, ParseFloat %v, %v", s, got, want, err)
		}
	})
}

// TestLoadMore: a snapshot loaded with its geography tables, then the
// others by LoadMore, holds what one loaded at once holds, with the same
// fingerprint; LoadMore refuses a geography table and an unknown one.
func TestLoadMore(t *testing.T) {
	geo := []string{CommunesFile, ArrondissementsFile, OldCodesFile, EPCIFile, DepartementsFile, RegionsFile, CPTSFile}
	var rest []string
	for _, f := range ReportFiles() {
		if !slices.Contains(geo, f) {
			rest = append(rest, f)
		}
	}
	s, err := LoadLayersOnly(geo, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Establishments) != 0 || s.Fingerprint() != "" {
		t.Fatalf("geography only: %d establishments, fingerprint %q", len(s.Establishments), s.Fingerprint())
	}
	if err := s.LoadMore(rest...); err != nil {
		t.Fatal(err)
	}
	all, err := LoadLayersOnly(ReportFiles(), Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Establishments, all.Establishments) || !reflect.DeepEqual(s.Liberal, all.Liberal) ||
		!reflect.DeepEqual(s.APL, all.APL) || len(s.APL) < 30000 || s.Commune("77333") == nil {
		t.Errorf("LoadMore: %d establishments, %d APL rows; at once: %d, %d", len(s.Establishments), len(s.APL), len(all.Establishments), len(all.APL))
	}
	if fp := s.Fingerprint(); fp == "" || fp != all.Fingerprint() {
		t.Errorf("fingerprint after LoadMore %q, loaded at once %q", fp, all.Fingerprint())
	}
	if err := s.LoadMore(CommunesFile); err == nil || !strings.Contains(err.Error(), "communes.tsv.gz is loaded with the snapshot") {
		t.Errorf("LoadMore(communes): %v", err)
	}
	if err := s.LoadMore("nope.tsv.gz"); err == nil {
		t.Error("LoadMore of an unknown table: no error")
	}
}

// TestLoadLayersAhead: a snapshot loaded with its geography tables and the
// others ahead holds, once Ahead returns, what one loaded at once holds,
// with the same fingerprint; a geography table or one loaded both ways
// cannot be ahead; a broken table ahead is reported by Ahead, naming it;
// a snapshot loaded otherwise has nothing ahead.
func TestLoadLayersAhead(t *testing.T) {
	geo := []string{CommunesFile, ArrondissementsFile, OldCodesFile, EPCIFile, DepartementsFile, RegionsFile, CPTSFile}
	var rest []string
	for _, f := range ReportFiles() {
		if !slices.Contains(geo, f) {
			rest = append(rest, f)
		}
	}
	s, err := LoadLayersAhead(geo, rest, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if s.Commune("77333") == nil {
		t.Fatal("geography not loaded on return")
	}
	if err := s.Ahead(); err != nil {
		t.Fatal(err)
	}
	all, err := LoadLayersOnly(ReportFiles(), Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Establishments, all.Establishments) || !reflect.DeepEqual(s.GPs, all.GPs) ||
		!reflect.DeepEqual(s.APL, all.APL) || len(s.Establishments) != 42477 {
		t.Errorf("ahead: %d establishments, %d APL rows; at once: %d, %d", len(s.Establishments), len(s.APL), len(all.Establishments), len(all.APL))
	}
	if fp := s.Fingerprint(); fp == "" || fp != all.Fingerprint() {
		t.Errorf("fingerprint after Ahead %q, loaded at once %q", fp, all.Fingerprint())
	}
	if _, err := LoadLayersAhead(geo[1:], geo[:1], Embedded()); err == nil || !strings.Contains(err.Error(), "communes.tsv.gz is loaded with the snapshot") {
		t.Errorf("communes ahead: %v", err)
	}
	if _, err := LoadLayersAhead(geo, []string{GPFile}, Embedded()); err != nil {
		t.Errorf("GPs ahead: %v", err)
	}
	if _, err := LoadLayersAhead(append(geo, GPFile), []string{GPFile}, Embedded()); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("GPs loaded and ahead: %v", err)
	}
	// A local layer whose GP table is not a table.
	broken := fstest.MapFS{ManifestFile: &fstest.MapFile{Data: []byte(`{"tables":[]}`)}, GPFile: &fstest.MapFile{Data: []byte("not gzip")}}
	b, err := LoadLayersAhead(geo, []string{GPFile}, broken, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ahead(); err == nil || !strings.Contains(err.Error(), GPFile) {
		t.Errorf("broken table ahead: %v", err)
	}
	if err := all.Ahead(); err != nil {
		t.Errorf("nothing ahead: %v", err)
	}
}

// TestCommuneIndex: a loaded snapshot finds each of its communes by code,
// Corsica's (2A, 2B) and the overseas ones included, and no commune for
// codes it does not hold or of another shape; a code of another shape
// set in the index is found; a literal snapshot has no index.
func TestCommuneIndex(t *testing.T) {
	s, err := LoadLayersOnly([]string{CommunesFile}, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	at := s.CommuneIndex()
	if len(s.Communes) < 34000 {
		t.Fatalf("%d communes", len(s.Communes))
	}
	for i, c := range s.Communes {
		if j, ok := at(c.Code); !ok || j != i {
			t.Fatalf("%s → %d, %v; want %d", c.Code, j, ok, i)
		}
	}
	for code, name := range map[string]string{"77333": "Nemours", "2A004": "Ajaccio", "2B033": "Bastia", "97411": "Saint-Denis", "01001": "L'Abergement-Clémenciat"} {
		if c := s.Commune(code); c == nil || c.Name != name {
			t.Errorf("%s: %+v", code, c)
		}
	}
	for _, code := range []string{"77999", "2C004", "75056x", "7733", "", "13201", "ABABA", "00000"} {
		if c := s.Commune(code); c != nil {
			t.Errorf("%q: %s", code, c.Code)
		}
	}
	x := newCodeIndex(1)
	x.set("7a333", 3)
	x.set("BBBBB", 4)
	if i, ok := x.get("7a333"); !ok || i != 3 {
		t.Errorf("a code of another shape: %d, %v", i, ok)
	}
	if i, ok := x.get("BBBBB"); !ok || i != 4 {
		t.Errorf("the last slot: %d, %v", i, ok)
	}
	if n, _ := codeNumber("BBBBB"); n != codeSlots-1 {
		t.Errorf("BBBBB is slot %d of %d", n, codeSlots)
	}
	lit := &Snapshot{Communes: []Commune{{Code: "77333", Name: "Nemours"}}}
	if lit.CommuneIndex() != nil || lit.Commune("77333") != nil {
		t.Error("a literal snapshot has an index")
	}
}

// TestCodesDesignating: the codes designating Souleuvre en Bocage (14654)
// are its own and the 21 codes of the communes merged into it (counted
// with Python in oldcodes.tsv.gz); Marseille's, its own and its 16
// arrondissements'. The set of the last codes asked is returned again,
// and a new one for other codes.
func TestCodesDesignating(t *testing.T) {
	s, err := LoadLayersOnly([]string{CommunesFile, ArrondissementsFile, OldCodesFile}, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	merged := []string{"14010", "14067", "14081", "14099", "14234", "14295", "14314", "14331", "14363", "14433", "14447", "14450",
		"14472", "14489", "14580", "14616", "14624", "14688", "14697", "14729", "14750"}
	got := s.CodesDesignating([]string{"14654"})
	if want := append([]string{"14654"}, merged...); len(got) != len(want) || !allIn(got, want) {
		t.Errorf("14654: %d codes %v", len(got), slices.Sorted(maps.Keys(got)))
	}
	again := s.CodesDesignating([]string{"14654"})
	if reflect.ValueOf(again).Pointer() != reflect.ValueOf(got).Pointer() {
		t.Error("the same codes: a new set")
	}
	m := s.CodesDesignating([]string{"13055"})
	if len(m) != 17 || !m["13055"] || !m["13201"] || !m["13216"] || m["14654"] {
		t.Errorf("13055: %v", slices.Sorted(maps.Keys(m)))
	}
	if back := s.CodesDesignating([]string{"14654"}); len(back) != 22 || reflect.ValueOf(back).Pointer() == reflect.ValueOf(m).Pointer() {
		t.Errorf("14654 after 13055: %d codes", len(back))
	}
}

func allIn(m map[string]bool, codes []string) bool {
	for _, c := range codes {
		if !m[c] {
			return false
		}
	}
	return true
}
