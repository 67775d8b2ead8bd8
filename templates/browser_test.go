package templates

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/diagsante/diagsante/diagnostic"
)

// chromiumPath finds Debian's chromium (or another Chrome build on PATH).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless chromium with a fresh profile and no
// network of its own (no updates, no sync, no first-run pages).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath()
	if bin == "" {
		needTool(t, "chromium", "the HTML report is tested in a real browser")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// pageErrors collects console errors, uncaught exceptions and browser log
// errors (such as a failed resource load) of a tab.
type pageErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (p *pageErrors) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				msg = "log: " + ev.Entry.Text + " " + ev.Entry.URL
			}
		}
		if msg != "" {
			p.mu.Lock()
			p.msgs = append(p.msgs, msg)
			p.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (p *pageErrors) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.msgs...)
}

// chartState is what the page reports about each chart container.
type chartState struct {
	ID       string  `json:"id"`
	Drawn    bool    `json:"drawn"`
	Elements int     `json:"elements"`
	Width    float64 `json:"width"`
	Height   float64 `json:"height"`
}

const inspectCharts = `Array.from(document.querySelectorAll('.chart')).map(function (el) {
  var g = el.querySelector('svg, canvas');
  var r = g ? g.getBoundingClientRect() : {width: 0, height: 0};
  return {id: el.id, drawn: !!g && r.width > 0 && r.height > 0,
    elements: g ? g.querySelectorAll('path, rect, text').length : 0, width: r.width, height: r.height};
})`

// TestReportInBrowser opens real reports from file:// with the network
// offline and checks that every chart and the map are drawn, with no error.
func TestReportInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	for _, tc := range []struct {
		name   string
		items  []string
		mutate func(*diagnostic.Report)
		full   bool // also check print and phone layouts
	}{
		{"nemours", []string{"epci:200023240"}, nil, true},
		{"lozere", []string{"dep:48"}, nil, true},
		{"nemours-sans-acces", []string{"epci:200023240"}, withoutAccess, false},
		{"injection", []string{"epci:200023240"}, injectReport, false},
		// Over SummaryThreshold: the summary form, by département, no map.
		{"auvergne-rhone-alpes", []string{"reg:84"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, contours := testReport(t, tc.items...)
			if tc.mutate != nil {
				tc.mutate(rep)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "diagnostic.html")
			var buf bytes.Buffer
			o := HTMLOptions{Contours: contours}
			if Summarised(rep) {
				o = HTMLOptions{Parts: DepartementParts(rep, testEngine)}
			}
			if err := WriteHTMLWith(&buf, rep, o); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			checkPage(t, ctx, "file://"+file, len(o.Contours), len(o.Parts), filepath.Join(dir, tc.name), tc.full)
		})
	}
}

// offlineByRule is Network.emulateNetworkConditionsByRule with the
// top-level "offline" parameter that Chromium 148 requires (it answers
// "Invalid parameters" without it) and that cdproto v0.159 no longer
// sends: it moved into each rule's conditions, where older Chromium
// versions read it. Both are sent.
var offlineByRule = cdp.Command[offlineByRuleParams, network.EmulateNetworkConditionsByRuleResult]{Method: network.CommandEmulateNetworkConditionsByRule}

type offlineByRuleParams struct {
	Offline                  bool                  `json:"offline"`
	MatchedNetworkConditions []*network.Conditions `json:"matchedNetworkConditions"`
}

// openPage opens url in a new tab with the network offline, and collects
// the page's errors.
func openPage(t *testing.T, parent context.Context, url string, before ...chromedp.Action[chromedp.Void]) (context.Context, *pageErrors) {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(parent)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	errs := &pageErrors{}
	errs.listen(t, tab)
	ctx, cancel := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(cancel)
	// Offline: any attempt to fetch a resource fails, and is logged.
	if _, err := chromedp.Call(ctx, offlineByRule, offlineByRuleParams{Offline: true,
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatalf("offline emulation: %v", err)
	}
	if err := chromedp.Do(ctx, append(before, chromedp.Navigate(url))...); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	return ctx, errs
}

// pageFetches tells whether the page in ctx can fetch from a local
// server.
func pageFetches(t *testing.T, ctx context.Context) (bool, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	return chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch(`+strconv.Quote(srv.URL)+`, {mode: "no-cors"}).then(() => true, () => false)`, chromedp.EvalAwaitPromise))
}

// assertOffline checks that the page ran with the network cut: a request
// to a local server fails. (Chromium 148 no longer reflects the emulation
// in navigator.onLine.)
func assertOffline(t *testing.T, ctx context.Context) {
	t.Helper()
	if fetched, err := pageFetches(t, ctx); err != nil || fetched {
		t.Errorf("the page reached a local server (%v, %v): it did not run offline", fetched, err)
	}
}

// checkPage checks a page: features is the number of commune contours of
// the maps of the full form; parts the number of départements of the
// summary form (0 for the full form).
func checkPage(t *testing.T, parent context.Context, url string, features, parts int, shotBase string, full bool) {
	ctx, errs := openPage(t, parent, url)
	// The page script marks the document when it has drawn every chart.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.hasAttribute('data-charts')`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("charts never drawn: %v (errors: %v)", err, errs.all())
	}
	// Last, once its errors are checked (the failed request is logged).
	defer assertOffline(t, ctx)
	states, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartState](inspectCharts))
	if err != nil {
		t.Fatal(err)
	}
	if len(states) < 5 {
		t.Errorf("%d chart containers, want at least 5", len(states))
	}
	for _, s := range states {
		if !s.Drawn || s.Elements < 3 {
			t.Errorf("chart %s not drawn: %+v", s.ID, s)
		}
	}
	if parts > 0 {
		// The summary form: no map, one row per département, and the bar
		// chart of the départements drawn with a bar each.
		n, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll('#carte, #carte-65-plus, table.communes').length,
  document.querySelectorAll('table.departements tbody tr').length, document.querySelectorAll('#apl-departements svg path').length,
  document.querySelectorAll('.summary-notice').length]`))
		if err != nil {
			t.Fatal(err)
		}
		if n[0] != 0 || n[1] != parts || n[2] < parts || n[3] != 1 {
			t.Errorf("summary form: %d maps or communes tables (want 0), %d département rows (want %d), %d paths in the département chart, %d notices (want 1)",
				n[0], n[1], parts, n[2], n[3])
		}
	}
	// The maps (APL, share from GPs 65+): one path per commune at least,
	// and the map registered.
	for _, id := range []string{"carte", "carte-65-plus"} {
		paths, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#`+id+` svg path').length`))
		if err != nil {
			t.Fatal(err)
		}
		if paths < features {
			t.Errorf("map %s has %d paths for %d communes", id, paths, features)
		}
	}
	registered, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!echarts.getMap('territoire')`))
	if err != nil || registered != (parts == 0) {
		t.Errorf("map registered: %v, %v; want %v", registered, err, parts == 0)
	}
	// Nothing injected made an element: the page itself has no image.
	images, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img, iframe, object').length`))
	if err != nil || images != 0 {
		t.Errorf("unexpected elements: %d, %v", images, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	savePNG(t, shotBase+".png", shot)
	if !full {
		if e := errs.all(); len(e) > 0 {
			t.Errorf("page errors:\n%s", strings.Join(e, "\n"))
		}
		return
	}

	// It prints on A4: in the print layout of the 186 mm column (703 CSS
	// px), nothing is wider than the column (else the browser shrinks every
	// page), and the charts scale to the column.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(703, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	// Charts that repeat a table are not printed (display: none): only the
	// printed ones are measured. A chart fills its figure, unless its
	// height limit (the maps) makes it narrower, never wider than the
	// column, and it is at least a third of the column.
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('.chart svg')).filter(function (s) { return s.getClientRects().length > 0; }).map(function (s) { return s.getBoundingClientRect().width; })`))
	if err != nil {
		t.Fatal(err)
	}
	column, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('main').getBoundingClientRect().width`))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range widths {
		if w < column/3 || w > column+1 {
			t.Errorf("printed chart %d is %v px wide, want between a third of the %v px column and the column", i, w, column)
		}
	}
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('main *')).filter(function (e) {
  return e.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 1; }).slice(0, 5).map(function (e) { return e.tagName + '.' + e.className; })`)); err != nil || len(wide) > 0 {
		t.Errorf("printed elements wider than the A4 column: %v %v", wide, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateReset()); err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 20000 {
		t.Errorf("print gave %d bytes", len(pdf))
	}
	if dst := os.Getenv("DIAGSANTE_SCREENSHOT_DIR"); dst != "" {
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(shotBase)+".pdf"), pdf, 0o644); err != nil {
			t.Error(err)
		}
	}

	// On a phone the page fits the screen: no horizontal scrolling of the
	// page itself (wide tables scroll inside their own box), charts within
	// the screen.
	phoneCtx, phoneErrs := openPage(t, parent, url, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	if _, err := chromedp.Run(phoneCtx, chromedp.Poll[bool](`document.documentElement.hasAttribute('data-charts')`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("charts never drawn on a phone: %v", err)
	}
	overflow, err := chromedp.Run(phoneCtx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow > 1 {
		t.Errorf("on a 390 px wide phone the page is %v px too wide", overflow)
	}
	right, err := chromedp.Run(phoneCtx, chromedp.Evaluate[float64](`Math.max.apply(null, Array.from(document.querySelectorAll('.chart svg')).map(function (s) { return s.getBoundingClientRect().right; }))`))
	if err != nil {
		t.Fatal(err)
	}
	if right > 390 {
		t.Errorf("on a phone a chart reaches %v px, past the 390 px screen", right)
	}
	phone, err := chromedp.Run(phoneCtx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	savePNG(t, shotBase+"-phone.png", phone)
	if e := phoneErrs.all(); len(e) > 0 {
		t.Errorf("page errors on a phone:\n%s", strings.Join(e, "\n"))
	}

	if e := errs.all(); len(e) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(e, "\n"))
	}
}

// TestBrowserHarnessSeesErrors checks the checks: a page that throws, logs
// an error and loads a script from the network is caught.
func TestBrowserHarnessSeesErrors(t *testing.T) {
	ctx := newBrowser(t)
	file := filepath.Join(t.TempDir(), "broken.html")
	page := `<!DOCTYPE html><html><head><script src="http://example.invalid/x.js"></script></head><body>
<script>console.error("boom"); window.setTimeout(function () { document.documentElement.setAttribute("data-done", ""); throw new Error("bad"); }, 10);</script></body></html>`
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	tabCtx, errs := openPage(t, ctx, "file://"+file)
	if _, err := chromedp.Run(tabCtx, chromedp.Poll[bool](`document.documentElement.hasAttribute('data-done')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(errs.all()) < 3 {
		time.Sleep(50 * time.Millisecond)
	}
	got := strings.Join(errs.all(), "\n")
	for _, want := range []string{`console.error: "boom"`, "exception: Uncaught Error: bad", "example.invalid"} {
		if !strings.Contains(got, want) {
			t.Errorf("harness missed %q; saw:\n%s", want, got)
		}
	}
	assertOffline(t, tabCtx)
	// The offline check can fail: a tab with the network on fetches.
	online, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(online, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatal(err)
	}
	if fetched, err := pageFetches(t, online); err != nil || !fetched {
		t.Errorf("a tab with the network on did not reach the local server (%v, %v)", fetched, err)
	}
}

// savePNG writes a screenshot to the test's folder, and to
// DIAGSANTE_SCREENSHOT_DIR when set, so that a person can look at it.
func savePNG(t *testing.T, path string, png []byte) {
	t.Helper()
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if dst := os.Getenv("DIAGSANTE_SCREENSHOT_DIR"); dst != "" {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(path)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Log("screenshot:", path, fmt.Sprintf("(%d bytes)", len(png)))
}
