package snapshot

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestLoadManifestLayers: the manifest-only load gives the same manifest,
// départements and régions as the full load, over a local layer too, and
// decodes no other table.
func TestLoadManifestLayers(t *testing.T) {
	local := fstest.MapFS{ManifestFile: {Data: []byte(`{"tables":[{"name":"cpts","source":"CPTS 77","vintage":"2026-03","origin":"cpts.csv",
		"coverage":[{"dep":"77","source":"CPTS 77","vintage":"2026-03"}]}],"inputs":{"cpts.csv":"abc"}}`)}}
	full, err := LoadLayers(local, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifestLayers(local, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Manifest, full.Manifest) {
		t.Errorf("manifest differs from the full load's")
	}
	if got := m.Manifest.Table("cpts"); got == nil || got.Origin != "cpts.csv" || m.Manifest.Inputs["cpts.csv"] != "abc" {
		t.Errorf("local table description not merged: %+v", got)
	}
	if len(m.Departements) != 109 || !reflect.DeepEqual(m.Departements, full.Departements) || !reflect.DeepEqual(m.Regions, full.Regions) {
		t.Errorf("%d départements, %d régions; want those of the full load (%d, %d)", len(m.Departements), len(m.Regions), len(full.Departements), len(full.Regions))
	}
	if d := m.Departement("2A"); d == nil || d.Name != "Corse-du-Sud" {
		t.Errorf("Departement(2A) = %+v", d)
	}
	if r := m.Region("11"); r == nil || r.Name != "Île-de-France" {
		t.Errorf("Region(11) = %+v", r)
	}
	if len(m.Communes)+len(m.APL)+len(m.Establishments)+len(m.EPCIs) != 0 {
		t.Errorf("manifest-only load decoded tables: %d communes, %d APL rows, %d establishments, %d EPCI",
			len(m.Communes), len(m.APL), len(m.Establishments), len(m.EPCIs))
	}
}

// TestLoadManifestWithLocalProblems: a local table whose file is gone is
// reported, and its description goes back to the embedded one, as with
// LoadWithLocal.
func TestLoadManifestWithLocalProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"tables":[{"name":"cpts","source":"CPTS 77","origin":"cpts.csv"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	full, local, err := LoadWithLocal(dir)
	if err != nil || !local {
		t.Fatalf("LoadWithLocal: local %v, %v", local, err)
	}
	m, local, err := LoadManifestWithLocal(dir)
	if err != nil || !local {
		t.Fatalf("LoadManifestWithLocal: local %v, %v", local, err)
	}
	if len(m.LocalProblems) != 1 || !reflect.DeepEqual(m.LocalProblems, full.LocalProblems) {
		t.Errorf("problems %q, want those of LoadWithLocal %q", m.LocalProblems, full.LocalProblems)
	}
	if !reflect.DeepEqual(m.Manifest, full.Manifest) || m.Manifest.Table("cpts").Origin != "embedded" {
		t.Errorf("manifest differs from LoadWithLocal's, or cpts not back to embedded: %+v", m.Manifest.Table("cpts"))
	}
}

// TestLoadLayersOnly: only the tables named are decoded, the same as in a
// full load, with their indexes.
func TestLoadLayersOnly(t *testing.T) {
	full := mustLoad(t)
	s, err := LoadLayersOnly([]string{CommunesFile, ArrondissementsFile, APLFile}, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Communes, full.Communes) || !reflect.DeepEqual(s.APL, full.APL) || len(s.Communes) != 34969 {
		t.Errorf("%d communes, %d APL rows; want those of the full load", len(s.Communes), len(s.APL))
	}
	if c := s.Place("75101"); c == nil || c.Dep != "75" {
		t.Errorf("Place(75101) = %+v", c)
	}
	if len(s.Establishments)+len(s.EPCIs)+len(s.Postcodes)+len(s.Departements) != 0 {
		t.Errorf("tables not asked for decoded: %d establishments, %d EPCI, %d postcodes, %d départements",
			len(s.Establishments), len(s.EPCIs), len(s.Postcodes), len(s.Departements))
	}
	if !reflect.DeepEqual(s.Manifest, full.Manifest) {
		t.Error("manifest differs from the full load's")
	}
}
