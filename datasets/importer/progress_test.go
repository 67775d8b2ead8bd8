package importer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := startProgressEvery(&buf, "rpps", 2048, time.Millisecond)
	io.Copy(io.Discard, p.reader(strings.NewReader(strings.Repeat("x", 2048))))
	for range 1500 {
		p.row()
	}
	p.done()
	out := buf.String()
	last := out[strings.LastIndex(out, "\r"):]
	if !strings.Contains(last, "rpps: 2 kB, 1500 rows, ") || !strings.Contains(last, "rows/s") || !strings.HasSuffix(last, " s\n") {
		t.Errorf("progress line %q", last)
	}
	// Without a writer, nothing happens and nothing blocks.
	q := startProgress(nil, "x", 0)
	q.row()
	q.done()
	if humanBytes(3<<30) != "3.00 GB" || humanCount(2.5e6) != "2.50M" || humanCount(1500) != "2k" {
		t.Error("human formats")
	}
}

func TestImportReportsProgress(t *testing.T) {
	var buf bytes.Buffer
	im := &Importer{AllowShrink: true, Embedded: embedded(t), Progress: &buf, contours: contours(t)}
	if _, err := im.Import(t.Context(), t.TempDir(), Sources{CPTS: fixture("cpts_test_2026-03.csv")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "cpts: 227 B, 4 rows") {
		t.Errorf("progress %q", buf.String())
	}
}

// writeSyntheticRPPS writes an activity extraction of n lines shaped like
// the national one (52 columns, about 300 bytes a line): professionals with
// one to three sites in communes of the embedded snapshot.
func writeSyntheticRPPS(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	s := embedded(tb)
	head, err := os.ReadFile(fixture("PS_LibreAcces_Personne_activite_202401151030.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	header := string(head[:bytes.IndexByte(head, '\n')+1])
	names := strings.Split(strings.TrimSuffix(strings.TrimSpace(header), "|"), "|")
	col := map[string]int{}
	for i, n := range names {
		col[n] = i
	}
	fields := make([]string, len(names))
	set := func(name, v string) {
		i, ok := col[name]
		if !ok {
			tb.Fatalf("no column %q", name)
		}
		fields[i] = v
	}
	for name, v := range map[string]string{"Type d'identifiant PP": "8", "Nom d'exercice": "NOM", "Prénom d'exercice": "PRENOM",
		"Code catégorie professionnelle": "C", "Numéro SIRET site": "12345678901234", "Raison sociale site": "CABINET MEDICAL DU CENTRE",
		"Numéro Voie (coord. structure)": "12", "Libellé Voie (coord. structure)": "DE LA REPUBLIQUE", "Code postal (coord. structure)": "77140",
		"Téléphone (coord. structure)": "0164000000", "Code secteur d'activité": "SA07"} {
		set(name, v)
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := io.Writer(f)
	var b strings.Builder
	b.WriteString(header)
	r := rand.New(rand.NewPCG(1, 2))
	profs := []string{"10", "10", "60", "60", "60", "70", "21", "40", "50", "91"}
	sfs := []string{"SM54", "SM54", "SM26", "SM04", "SM42"}
	for lines, id := 0, 10000000000; lines < n; id++ {
		prof := profs[r.IntN(len(profs))]
		sf := ""
		if prof == "10" {
			sf = sfs[r.IntN(len(sfs))]
		}
		for range 1 + r.IntN(3) {
			c := s.Communes[r.IntN(len(s.Communes))]
			mode := "L"
			if r.IntN(4) == 0 {
				mode = "S"
			}
			set("Identifiant PP", strconv.Itoa(id))
			set("Identification nationale PP", "8"+strconv.Itoa(id))
			set("Code profession", prof)
			set("Code savoir-faire", sf)
			set("Code mode exercice", mode)
			set("Code commune (coord. structure)", c.Code)
			set("Libellé commune (coord. structure)", c.Name)
			b.WriteString(strings.Join(fields, "|"))
			b.WriteString("|\n")
			lines++
		}
		if b.Len() > 1<<20 {
			io.WriteString(w, b.String())
			b.Reset()
		}
	}
	io.WriteString(w, b.String())
	st, _ := f.Stat()
	return st.Size()
}

// BenchmarkImportRPPS measures a whole RPPS import (read, count, write the
// three tables, check the new snapshot loads) on a synthetic extraction of
// 500,000 lines, or on $RPPS_BENCH_FILE when set (a national-size file, as
// datasets/rpps's benchmarks write it); MB/s is the throughput on the
// activity file (issue 14: 300 MB/s on two cores), cpu-s/op the CPU time
// of an import, less noisy on a shared machine.
func BenchmarkImportRPPS(b *testing.B) {
	path := os.Getenv("RPPS_BENCH_FILE")
	var size int64
	if path == "" {
		path = filepath.Join(b.TempDir(), "PS_LibreAcces_Personne_activite_202601150830.txt")
		size = writeSyntheticRPPS(b, path, 500_000)
	} else {
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
	}
	b.SetBytes(size)
	src := Sources{RPPS: path}
	s, err := LoadEmbedded(src)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		n++
		im := &Importer{AllowShrink: true, Embedded: s}
		if _, err := im.Import(b.Context(), filepath.Join(b.TempDir(), "local"), src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(n), "cpu-s/op")
}

func TestImportCanceled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202601150830.txt")
	writeSyntheticRPPS(t, path, 10_000)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := t.TempDir()
	im := &Importer{AllowShrink: true, Embedded: embedded(t)}
	if _, err := im.Import(ctx, dir, Sources{RPPS: path}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if snapshot.HasLocal(dir) {
		t.Error("a canceled import wrote a snapshot")
	}
}

func TestSyntheticRPPS(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 6 MB file")
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202601150830.txt")
	writeSyntheticRPPS(t, path, 20_000)
	res, s := importInto(t, t.TempDir(), Sources{RPPS: path})
	if res[0].Read < 20_000 || res[0].Unmatched != 0 {
		t.Errorf("result %+v", res[0])
	}
	// Each line is one person-site; people are counted once per commune,
	// so the counts add up to at most the lines, and GPs are médecins.
	total, med, gp := 0, 0, 0
	for _, p := range s.Professionals {
		switch p.Profession {
		case GPProfession:
			gp += p.Count
		case "10":
			med += p.Count
			total += p.Count
		default:
			total += p.Count
		}
	}
	if total > res[0].Read || total < res[0].Read*9/10 || gp == 0 || gp >= med {
		t.Errorf("people %d (lines %d), médecins %d, GPs %d", total, res[0].Read, med, gp)
	}
}
