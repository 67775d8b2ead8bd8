package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every malformed list is refused with exit 2, a message naming the file
// (and the line when there is one), and no more than a short echo of it.
func TestTerritoryFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsx := append([]byte("PK\x03\x04\x14\x00\x06\x00"), bytes.Repeat([]byte{0, 0xff, 'x'}, 4000)...)
	for _, tc := range []struct {
		name string
		path string
		want string
	}{
		{"bad code on line 3", write("codes.txt", []byte("77333\n# comment\n99999\n")), "codes.txt:3: territory \"99999\": unknown commune code"},
		{"bad code in a CSV", write("codes.csv", []byte("nom;code\nNemours;77333\nX;99999\n")), "codes.csv:3: territory \"99999\""},
		{"long line", write("long.txt", []byte("77333\n"+strings.Repeat("7", 70000)+"\n")), "long.txt:2: line longer than 4096 bytes"},
		{"long item", write("item.txt", []byte(strings.Repeat("Nemours ", 100)+"\n")), "item.txt:1: territory item \"Nemours Nemours"},
		{"xlsx", write("communes.xlsx", xlsx), "communes.xlsx: looks like a binary file (xlsx?); give a text list or a CSV"},
		{"NUL byte", write("nul.txt", []byte("77333\n\x00\x00\n")), "nul.txt: looks like a binary file"},
		{"NUL after the head", write("nul2.txt", append(bytes.Repeat([]byte("77333\n"), 200), 0)), "nul2.txt: looks like a binary file"},
		{"Latin-1", write("latin1.txt", []byte("77333\nSaint-\xc9tienne\n")), "latin1.txt:2: not UTF-8 text"},
		{"Latin-1 CSV", write("latin1.csv", []byte("code;nom\n42218;Saint-\xc9tienne\n")), "latin1.csv:2: not UTF-8 text"},
		{"CSV quote", write("quote.csv", []byte("code;nom\n\"77333;x\n")), "quote.csv:2:"},
		{"folder", dir, "is a folder"},
		{"/dev/zero", "/dev/zero", "/dev/zero: looks like a binary file"},
		{"too big", write("big.txt", bytes.Repeat([]byte("77333\n"), 3<<20)), "big.txt: larger than 16 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runMain(t, "territory", "show", "@"+tc.path)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %.300q; want exit 2 and %q", code, stderr, tc.want)
			}
			if len(stderr) > 600 {
				t.Errorf("stderr is %d bytes: the input is echoed", len(stderr))
			}
		})
	}
}

// A huge, non-UTF-8 or binary argument is refused and echoed short.
func TestTerritoryArgumentErrors(t *testing.T) {
	for _, tc := range []struct {
		arg, want string
	}{
		{strings.Repeat("x", 100000), "argument 1: territory item \"xxxx"},
		{"Nem\xffours", "argument 1: \"Nem\uFFFDours\" is not valid UTF-8"},
	} {
		code, _, stderr := runMain(t, "territory", "show", tc.arg)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || len(stderr) > 300 {
			t.Errorf("exit %d, stderr %.300q (%d bytes); want exit 2 and %q", code, stderr, len(stderr), tc.want)
		}
	}
	for _, arg := range []string{strings.Repeat("x", 100000), "Nem\xffours"} {
		code, _, stderr := runMain(t, "communes", "search", arg)
		if code != exitUsage || !strings.Contains(stderr, "search text: ") || len(stderr) > 300 {
			t.Errorf("communes search: exit %d, stderr %.300q", code, stderr)
		}
	}
	// --name goes into the report as is: it must be text.
	code, _, stderr := runMain(t, "diagnose", "77333", "--name", "Nem\xe9ours", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "--name") {
		t.Errorf("--name not UTF-8: exit %d, %q", code, stderr)
	}
}

func TestEcho(t *testing.T) {
	if got := echo("abc"); got != `"abc"` {
		t.Errorf("echo short = %s", got)
	}
	long := strings.Repeat("é", 200)
	got := echo(long)
	if !strings.HasSuffix(got, "… (400 bytes)") || utf8.RuneCountInString(got) > echoLen+20 || !utf8.ValidString(got) {
		t.Errorf("echo long = %s", got)
	}
}

// FuzzParseTerritoryFile checks that no input panics, and that what comes
// out is what a resolver can be given: valid UTF-8 items of bounded length,
// with the line they are on, or an error naming the file.
func FuzzParseTerritoryFile(f *testing.F) {
	f.Add([]byte("code\n77333\n"))
	f.Add([]byte("77333\nMende\n"))
	f.Add([]byte("a;\"b\nc;d"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("code;nom\n\xc9\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := parseTerritoryFile("fuzz.txt", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		lines := bytes.Count(b, []byte("\n")) + 1
		for _, it := range items {
			if !utf8.ValidString(it.Text) || len(it.Text) > maxItemLen || it.Text == "" {
				t.Fatalf("item %q", it.Text)
			}
			if it.Line < 1 || it.Line > lines {
				t.Fatalf("item %q on line %d of %d", it.Text, it.Line, lines)
			}
		}
	})
}
