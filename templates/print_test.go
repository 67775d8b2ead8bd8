package templates

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPrintedReport prints reports to A4 PDF in Chromium, as a user does
// from the browser, and reads the pages back with pdftotext: the page
// counts stay within what a council meeting takes (an EPCI or a commune
// on 8 pages at most, a département on 20), every page carries its number
// and the territory's name, no page is nearly empty, and the first page
// holds what an élu needs to decide.
func TestPrintedReport(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		needTool(t, "pdftotext (poppler-utils)", "the printed report is read back page by page")
	}
	parent := newBrowser(t)
	for _, tc := range []struct {
		name     string
		items    []string
		maxPages int
	}{
		{"epci-nemours", []string{"epci:200023240"}, 8},
		// The territories of examples/.
		{"example-coeur-de-lozere", []string{"epci:244800405"}, 8},
		{"example-toulon", []string{"epci:248300543"}, 8},
		{"example-cpts-actes-sante", []string{"cpts:CPTS Actes Santé"}, 8},
		{"commune-nemours", []string{"77333"}, 8},
		{"dep-93", []string{"dep:93"}, 20},
		{"dep-48", []string{"dep:48"}, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, contours := testReport(t, tc.items...)
			var buf bytes.Buffer
			if err := WriteHTML(&buf, rep, contours); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			page := filepath.Join(dir, "diagnostic.html")
			if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, errs := openPage(t, parent, "file://"+page)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.hasAttribute('data-charts')`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
				t.Fatalf("charts never drawn: %v (errors: %v)", err, errs.all())
			}
			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "diagnostic.pdf")
			if err := os.WriteFile(file, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			if dst := os.Getenv("DIAGSANTE_SCREENSHOT_DIR"); dst != "" {
				os.WriteFile(filepath.Join(dst, "print-"+tc.name+".pdf"), pdf, 0o644)
			}
			out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
			n := len(pages)
			t.Logf("%s: %d pages", tc.name, n)
			if n > tc.maxPages {
				t.Errorf("%d printed pages, want at most %d", n, tc.maxPages)
			}
			for i, p := range pages {
				num := "page " + itoa(i+1) + " / " + itoa(n)
				if !strings.Contains(p, num) {
					t.Errorf("page %d lacks its number %q", i+1, num)
				}
				if !strings.Contains(p, rep.Title) {
					t.Errorf("page %d lacks the territory's name %q", i+1, rep.Title)
				}
				// The text of the page, without its margins: a page with
				// less than a few lines is a page break in the wrong place.
				body := strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(p, num, ""), rep.Title, "")), " ")
				min := 500
				if i == n-1 {
					min = 60
				}
				if len([]rune(body)) < min {
					t.Errorf("page %d of %d is nearly empty (%d characters): %.200q", i+1, n, len([]rune(body)), body)
				}
			}
			first := pages[0]
			for _, want := range []string{"1. Synthèse", "Points d'attention", "Leviers mobilisables", "Rapport du 01/12/2026", "Accessibilité aux médecins"} {
				if !strings.Contains(first, want) {
					t.Errorf("first page lacks %q", want)
				}
			}
			if !Summarised(rep) && !strings.Contains(first, "Carte des communes") {
				t.Error("first page lacks the map")
			}
			if e := errs.all(); len(e) > 0 {
				t.Errorf("page errors:\n%s", strings.Join(e, "\n"))
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
