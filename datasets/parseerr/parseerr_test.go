package parseerr

import (
	"errors"
	"io"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{New("a.csv", 12, 3, "bad value %q", "x"), `a.csv:12:3: bad value "x"`},
		{New("a.csv", 12, 0, "short line"), `a.csv:12: short line`},
		{New("a.csv", 0, 0, "empty file"), `a.csv: empty file`},
		{Cell("f.xlsx", "APL 2023", 1234, 3, "not a number"), `f.xlsx: sheet "APL 2023" cell C1234: not a number`},
		{Cell("f.xlsx", "APL 2023", 9, 0, "missing column"), `f.xlsx: sheet "APL 2023" row 9: missing column`},
		{Cell("f.xlsx", "APL 2023", 0, 0, "no header"), `f.xlsx: sheet "APL 2023": no header`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestUnwrap(t *testing.T) {
	err := New("a.csv", 2, 1, "reading: %w", io.ErrUnexpectedEOF)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatal("cause not reachable through Unwrap")
	}
	wrapped := errors.Join(errors.New("outer"), err)
	pe, ok := As(wrapped)
	if !ok || pe.Line != 2 || pe.File != "a.csv" {
		t.Fatalf("As(%v) = %v, %v", wrapped, pe, ok)
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 3: "C", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 0: "?"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
	}
}
