package templates

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLSXOpensInLibreOffice converts the workbook to PDF with LibreOffice
// Calc: a second, independent reader of the file than excelize. CI installs
// libreoffice-calc (.ci/run); elsewhere the test skips when it is absent.
func TestXLSXOpensInLibreOffice(t *testing.T) {
	bin := libreOffice(t, "the workbook must reopen in LibreOffice")
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "diagnostic.xlsx")
	if err := os.WriteFile(xlsx, writeWorkbook(t, "epci:200023240"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runLibreOffice(t, bin, dir, "--convert-to", "pdf", "--outdir", dir, xlsx)
	pdf, err := os.ReadFile(filepath.Join(dir, "diagnostic.pdf"))
	if err != nil {
		t.Fatalf("no PDF written: %v\n%s", err, out)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10000 {
		t.Fatalf("PDF of %d bytes does not look like a report", len(pdf))
	}
	if dst := os.Getenv("DIAGSANTE_SCREENSHOT_DIR"); dst != "" {
		if err := os.WriteFile(filepath.Join(dst, "diagnostic-xlsx.pdf"), pdf, 0o644); err != nil {
			t.Error(err)
		}
	}
	// With poppler, check that LibreOffice read the cells, not only the file.
	if _, err := exec.LookPath("pdftotext"); err != nil {
		needTool(t, "pdftotext", "reads back the cells LibreOffice printed")
	} else {
		txt, err := exec.Command("pdftotext", filepath.Join(dir, "diagnostic.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"CC Pays de Nemours", "Nemours", "Amponville", "MSP NEMOURS"} {
			if !strings.Contains(string(txt), want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	}
}
