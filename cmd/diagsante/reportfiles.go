package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

// reportTargets returns the file of each format inside dir.
func reportTargets(dir string, formats []string) []string {
	var paths []string
	for _, f := range formats {
		for _, d := range diagnoseFormats {
			if d.name == f {
				paths = append(paths, filepath.Join(dir, d.file))
			}
		}
	}
	return paths
}

// writeReportFiles writes a report in the given formats into dir, all files
// atomically, and returns the paths written. It does not check for existing
// files: callers decide about --force. eng is the engine that built the
// report: the summary form of a large territory's page computes its
// figures by département with it.
func writeReportFiles(eng *diagnostic.Engine, rep *diagnostic.Report, dir string, formats []string, loc templates.CSVLocale) ([]string, error) {
	return writeReportFilesContext(context.Background(), eng, rep, dir, formats, loc)
}

// writeReportFilesContext is writeReportFiles stopped by ctx. It first
// removes the temporary files that killed runs left in dir. loc is the
// convention of the CSV file.
func writeReportFilesContext(ctx context.Context, eng *diagnostic.Engine, rep *diagnostic.Report, dir string, formats []string, loc templates.CSVLocale) ([]string, error) {
	s := eng.Snap
	html := templates.HTMLOptions{}
	summary := hasFormat(formats, "html") && templates.Summarised(rep)
	if summary {
		// The summary form has no map: contours only for the GeoJSON.
		html.Parts = templates.DepartementParts(rep, eng)
	}
	var contours map[string]json.RawMessage
	if (hasFormat(formats, "html") && !summary) || hasFormat(formats, "geojson") {
		var err error
		if contours, err = territoryContours(s, rep); err != nil {
			return nil, err
		}
	}
	if !summary {
		html.Contours = contours
	}
	writers := map[string]func(io.Writer) error{
		"html":    func(w io.Writer) error { return templates.WriteHTMLWith(w, rep, html) },
		"xlsx":    func(w io.Writer) error { return templates.WriteXLSX(w, rep) },
		"json":    func(w io.Writer) error { return templates.WriteJSON(w, rep) },
		"csv":     func(w io.Writer) error { return templates.WriteCSV(w, rep, loc) },
		"geojson": func(w io.Writer) error { return templates.WriteGeoJSON(w, rep, contours) },
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	cleanStaleTemps(dir)
	paths := reportTargets(dir, formats)
	// The renderers only read the report: the files are written at once.
	if err := writeAllAtomicConcurrent(ctx, dir, paths, func(i int, w io.Writer) error { return writers[formats[i]](w) }); err != nil {
		return nil, err
	}
	return paths, nil
}
