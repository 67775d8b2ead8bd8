package rpps

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// The reader's header and line-format rules, on small hand-written files:
// which columns are found, where an error points, and what a line may look
// like (trailing '|' or not, blank lines, values with spaces).

// shortHeader is an activity header with the kept columns in an order of
// its own, an unkept column in the middle and one after the last kept.
const shortHeader = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Code profession|Libellé profession|Code mode exercice|Code secteur d'activité|Code savoir-faire|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Adresse e-mail (coord. structure)"

// readAll reads an activity file and returns one line per activity
// (line|idtype|id|national id|profession|label|mode|sector|sf|postcode|commune|commune label)
// and the error that stopped the reading, if any.
func readAll(t *testing.T, text string) (string, error) {
	t.Helper()
	var b strings.Builder
	err := Read(strings.NewReader(text), "a.txt", func(a *Activity) error {
		fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", a.Line, a.IDType, a.ID, a.NationalID, a.Profession,
			a.ProfessionLabel, a.Mode, a.Sector, a.SavoirFaire, a.Postcode, a.Commune, a.CommuneLabel)
		return nil
	})
	return b.String(), err
}

func TestReaderLineFormats(t *testing.T) {
	const nemours = "8|10001045367|810001045367|DUPONT|10|Médecin|L|SA07|SM54|77140|77333|Nemours|a@b.fr"
	for _, c := range []struct {
		name, text, want string
	}{
		{"trailing separator on every line", shortHeader + "|\n" + nemours + "|\n",
			"2|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n"},
		{"no trailing separator", shortHeader + "\n" + nemours + "\n",
			"2|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n"},
		{"trailing separator on data lines only", shortHeader + "\n" + nemours + "|\n",
			"2|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n"},
		{"last line without newline", shortHeader + "|\n" + nemours + "|",
			"2|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n"},
		// Blank lines before the header and between lines are skipped;
		// Line stays the physical line number.
		{"blank lines", "\n\n" + shortHeader + "|\n\n" + nemours + "|\n\n" + strings.Replace(nemours, "DUPONT", "DURAND", 1) + "|\n",
			"5|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n7|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140|77333|Nemours\n"},
		// Values are trimmed; an empty commune is allowed (no commune).
		{"spaces and empty commune", shortHeader + "|\n" + "8 | 10001045367 |810001045367| X |10| Médecin |L|SA07| SM54 | 77140 ||  |x|\n",
			"2|8|10001045367|810001045367|10|Médecin|L|SA07|SM54|77140||\n"},
		// Columns matched by name ignoring case, accents and punctuation,
		// in any order; the older "Code commune" title.
		{"other titles and order", "CODE COMMUNE|code profession|IDENTIFICATION NATIONALE PP|Identifiant PP|\n77186|60|810100000001|10100000001|\n",
			"2||10100000001|810100000001|60||||||77186|\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readAll(t, c.text)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestReaderFormatErrors(t *testing.T) {
	const line = "8|10001045367|810001045367|DUPONT|10|Médecin|L|SA07|SM54|77140|77333|Nemours|a@b.fr"
	for _, c := range []struct {
		name, text, want string
	}{
		{"blank file", "\n\n", "a.txt:2: empty file: no header line"},
		{"no profession column", strings.Replace(shortHeader, "Code profession", "Profession", 1) + "|\n",
			`a.txt:1: missing column "Code profession" in header (is this a PS_LibreAcces file?)`},
		{"no commune column", strings.Replace(shortHeader, "Code commune (coord. structure)", "Commune", 1) + "|\n",
			`a.txt:1: missing column "Code commune (coord. structure)" in header (is this a PS_LibreAcces file?)`},
		{"no identifier column", strings.NewReplacer("Identification nationale PP", "X", "Identifiant PP", "Y").Replace(shortHeader) + "|\n",
			`a.txt:1: missing column "Identification nationale PP" in header (is this a PS_LibreAcces file?)`},
		// 13 columns: one field missing, one too many without a trailing
		// '|', and one too many after a value (not a trailing '|').
		{"truncated line", shortHeader + "|\n" + strings.TrimSuffix(line, "|a@b.fr") + "\n",
			"a.txt:2: 12 fields, the header has 13 (truncated line?)"},
		{"extra field", shortHeader + "|\n" + line + "|x\n",
			"a.txt:2:14: 14 fields, the header has 13 ('|' inside a value?)"},
		{"extra field without trailing separator", shortHeader + "\n" + line + "|x\n",
			"a.txt:2:14: 14 fields, the header has 13 ('|' inside a value?)"},
		{"two trailing separators", shortHeader + "|\n" + line + "||\n",
			"a.txt:2:14: 15 fields, the header has 13 ('|' inside a value?)"},
		// The column of an error is the 1-based field of the file.
		{"empty identifiers", shortHeader + "|\n" + strings.Replace(line, "10001045367|810001045367", "|", 1) + "\n",
			"a.txt:2:3: empty identifier (Identification nationale PP)"},
		{"empty profession", shortHeader + "|\n" + strings.Replace(line, "|10|", "||", 1) + "\n",
			"a.txt:2:5: empty Code profession"},
		{"bad commune", shortHeader + "|\n" + strings.Replace(line, "77333", "7733", 1) + "\n",
			`a.txt:2:11: invalid commune code "7733"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readAll(t, c.text)
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v, want %s", err, c.want)
			}
		})
	}
}

// TestReaderIdentifierOnly: a file with Identifiant PP and no
// Identification nationale PP is read (either identifier will do), and an
// empty identifier then points at the Identifiant PP column.
func TestReaderIdentifierOnly(t *testing.T) {
	header := "Code profession|Identifiant PP|Code commune (coord. structure)|"
	got, err := readAll(t, header+"\n60|10100000001|77186|\n")
	if err != nil || got != "2||10100000001||60||||||77186|\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	_, err = readAll(t, header+"\n60|10100000001|77186|\n60||77186|\n")
	if err == nil || err.Error() != "a.txt:3:2: empty identifier (Identification nationale PP)" {
		t.Errorf("empty identifier: %v", err)
	}
}

// TestReaderIDNotSuffixOfNationalID: Identifiant PP is read as its own value
// when it is not the end of Identification nationale PP (an ADELI number
// with its own prefix), and when it is longer than it.
func TestReaderIDNotSuffixOfNationalID(t *testing.T) {
	text := "Identifiant PP|Identification nationale PP|Code profession|Code commune|\n" +
		"0759124159|80759124150|60|77186|\n" + // same length, different digits
		"810001045367999|810001045367|10|77186|\n" + // longer than the national id
		"1045367|810001045367|10|77186|\n" // a true suffix
	if got := readIDs(t, text); got != "80759124150/0759124159 810001045367/810001045367999 810001045367/1045367" {
		t.Errorf("ids %s", got)
	}
}

// readIDs reads an activity file and returns its NationalID/ID pairs.
func readIDs(t *testing.T, text string) string {
	t.Helper()
	var ids []string
	err := Read(strings.NewReader(text), "a.txt", func(a *Activity) error {
		ids = append(ids, a.NationalID+"/"+a.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(ids, " ")
}

// TestReaderPersonChange: per-person values are reused only while the
// person is the same; a new person on the next line gets its own values,
// and a person coming back after another is read again.
func TestReaderPersonChange(t *testing.T) {
	text := "Identification nationale PP|Identifiant PP|Code profession|Code commune|\n" +
		"810000000001|10000000001|10|77186|\n" +
		"810000000001|10000000001|10|77333|\n" +
		"810000000002|10000000002|10|77333|\n" +
		"810000000001|10000000001|10|77333|\n" +
		"810000000003||10|77333|\n" // national id only: ID empty
	if got := readIDs(t, text); got != "810000000001/10000000001 810000000001/10000000001 810000000002/10000000002 810000000001/10000000001 810000000003/" {
		t.Errorf("ids %s", got)
	}
}

// TestReaderNoAllocationPerLine: once a file's values have been seen, a
// line costs no allocation (interned values, per-person strings reused
// while the person is the same, Identifiant PP sharing the memory of
// Identification nationale PP). This is what keeps the 2-million-line
// national file fast.
func TestReaderNoAllocationPerLine(t *testing.T) {
	var b strings.Builder
	b.WriteString(shortHeader + "|\n")
	const n = 2000
	for i := range n {
		// One person over all lines: per-person values repeat.
		fmt.Fprintf(&b, "8|10001045367|810001045367|DUPONT|10|Médecin|L|SA07|SM54|77140|%s|Nemours|a@b.fr|\n", []string{"77333", "77186"}[i%2])
	}
	rd, err := NewReader(strings.NewReader(b.String()), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	var a Activity
	for range 10 { // warm up: the values are interned
		if err := rd.NextInto(&a); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(n/2, func() {
		if err := rd.NextInto(&a); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per line, want 0", allocs)
	}
	if a.ID != "10001045367" || a.NationalID != "810001045367" || a.Commune != "77333" || a.Line != 1012 {
		t.Errorf("last line read as %+v", a)
	}
}

// TestInternerBound: the interner stops adding values at maxInterned, so a
// column of unique values cannot grow it without limit; values past the
// bound are still returned right.
func TestInternerBound(t *testing.T) {
	in := make(interner)
	for i := range maxInterned + 10 {
		if got, want := in.get([]byte(fmt.Sprint(i))), fmt.Sprint(i); got != want {
			t.Fatalf("get(%s) = %s", want, got)
		}
	}
	if len(in) != maxInterned {
		t.Errorf("%d values interned, want %d", len(in), maxInterned)
	}
	if in.get(nil) != "" || len(in) != maxInterned {
		t.Errorf("empty value interned")
	}
}

// TestSavoirFaireFormats: the companion reader shares the header and line
// rules; its identifier may be Identifiant PP alone.
func TestSavoirFaireFormats(t *testing.T) {
	read := func(text string) (string, error) {
		var b strings.Builder
		err := ReadSavoirFaire(strings.NewReader(text), "sf.txt", func(s *SavoirFaire) error {
			fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s\n", s.Line, s.ID, s.NationalID, s.Profession, s.Type, s.Code)
			return nil
		})
		return b.String(), err
	}
	got, err := read("\nIdentifiant PP|Code profession|Code type savoir-faire|Code savoir-faire\n10001045367|10|S|SM54\n\n10001045368||Q|SM26|\n")
	if err != nil || got != "3|10001045367||10|S|SM54\n5|10001045368|||Q|SM26\n" {
		t.Errorf("got %q, %v", got, err)
	}
	_, err = read("Identification nationale PP|Code savoir-faire|\n|SM54|\n")
	if err == nil || err.Error() != "sf.txt:2:1: empty identifier (Identification nationale PP)" {
		t.Errorf("empty identifier: %v", err)
	}
	_, err = read("Identification nationale PP|Code savoir-faire|\n810001045367|SM54|x|\n")
	if err == nil || err.Error() != "sf.txt:2:3: 4 fields, the header has 2 ('|' inside a value?)" {
		t.Errorf("extra field: %v", err)
	}
	stop := io.ErrClosedPipe
	if _, err := read("Identification nationale PP|Code savoir-faire|\n"); err != nil {
		t.Errorf("header only: %v", err)
	}
	err = ReadSavoirFaire(strings.NewReader("Identification nationale PP|Code savoir-faire|\n810001045367|SM54|\n"), "sf.txt", func(*SavoirFaire) error { return stop })
	if err != stop {
		t.Errorf("callback error %v, want %v", err, stop)
	}
}

// TestZipMembersListing: an archive without the wanted table is described
// member by member, up to 20, then "and N more"; an empty one holds
// "nothing".
func TestZipMembersListing(t *testing.T) {
	members := func(n int) [][2]string {
		var fs [][2]string
		for i := range n {
			fs = append(fs, [2]string{fmt.Sprintf("m%02d.txt", i), "hello\n"})
		}
		return fs
	}
	const prefix = `a.zip: no person-activity file in this zip archive (recognised by its header: columns "Identification nationale PP", "Code profession" and "Code commune (coord. structure)"); it holds: `
	for _, c := range []struct {
		n    int
		tail string
	}{
		{0, "nothing"},
		{1, "m00.txt (other file)"},
		{20, "m19.txt (other file)"},
		{21, "m19.txt (other file), and 1 more"},
	} {
		b := zipOf(t, members(c.n)...)
		_, _, err := ZipMembers(strings.NewReader(string(b)), int64(len(b)), "a.zip", KindActivity)
		if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), "holds: "+c.tail) && !strings.HasSuffix(err.Error(), ", "+c.tail) {
			t.Errorf("%d members: %v", c.n, err)
		}
	}
}

// TestHasSavoirFaireInFirstColumn: the savoir-faire columns are found
// wherever they stand, the first column included.
func TestHasSavoirFaireInFirstColumn(t *testing.T) {
	rd, err := NewReader(strings.NewReader("Code savoir-faire|Identification nationale PP|Code profession|Code commune|\nSM54|810001045367|10|77333|\n"), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !rd.HasSavoirFaire() {
		t.Error("savoir-faire column in first place not seen")
	}
	rd, err = NewReader(strings.NewReader("Identification nationale PP|Code profession|Code commune|\n"), "a.txt")
	if err != nil || rd.HasSavoirFaire() {
		t.Errorf("no savoir-faire column: %v, %v", rd.HasSavoirFaire(), err)
	}
}

// TestReaderIdentifierSharesNationalID: when the person changes on every
// line, Identification nationale PP costs one allocation and Identifiant
// PP, its suffix, none: one allocation per line in all.
func TestReaderIdentifierSharesNationalID(t *testing.T) {
	var b strings.Builder
	b.WriteString("Identifiant PP|Identification nationale PP|Code profession|Code commune|\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "1000104536%d|81000104536%d|10|77333|\n", i%2, i%2)
	}
	rd, err := NewReader(strings.NewReader(b.String()), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	var a Activity
	for range 4 {
		if err := rd.NextInto(&a); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(400, func() {
		if err := rd.NextInto(&a); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("%v allocations per line, want 1", allocs)
	}
}
