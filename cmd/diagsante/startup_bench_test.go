package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchmarkCommand runs a whole command as a user would, b.N times, with
// an empty local data folder so that only the embedded snapshot is read.
// Start-up (loading the data each command needs) is part of what is
// measured: the process targets of issue 14 are for short commands.
// An argument equal to freshOut is replaced, at each run, by a folder
// that does not exist yet, as for a user's first run: replacing the
// files of the run before (--force) costs the file system more (about
// 0.3 s for a batch of the 13 here) and is not what the targets time.
func benchmarkCommand(b *testing.B, args ...string) {
	outs, data := b.TempDir(), b.TempDir()
	b.ReportAllocs()
	run := 0
	for b.Loop() {
		run++
		argv := append([]string{"--data-dir", data}, args...)
		for i, a := range argv {
			if a == freshOut {
				argv[i] = filepath.Join(outs, strconv.Itoa(run))
			}
		}
		code := Main(context.Background(), BuildInfo{Version: "bench"}, argv, strings.NewReader(""), io.Discard, io.Discard)
		if code != exitOK {
			b.Fatalf("%v: exit %d", argv, code)
		}
	}
}

// freshOut stands for a new output folder in benchmarkCommand's arguments.
const freshOut = "\x00fresh-out"

// BenchmarkVersion reads the manifests only, no table (target: the whole
// process in 30 ms).
func BenchmarkVersion(b *testing.B) { benchmarkCommand(b, "version") }

// BenchmarkSimulateEPCI is a scenario over one EPCI (CC Pays de Nemours):
// the E2SFCA over France runs once for the baseline, then the scenario
// updates the catchments around Nemours (target: the whole process in
// 300 ms).
func BenchmarkSimulateEPCI(b *testing.B) {
	benchmarkCommand(b, "simulate", "epci:200023240", "--add-gp", "77333=2")
}

// BenchmarkTerritoryShow resolves one commune and prints it with its APL
// (target: the whole process in 60 ms).
func BenchmarkTerritoryShow(b *testing.B) { benchmarkCommand(b, "territory", "show", "77333") }

// BenchmarkTerritoryShowByName is `territory show` of an EPCI given by its
// name, as the issue's `diagnose "CC Pays de Nemours"`: the name indexes
// are built.
func BenchmarkTerritoryShowByName(b *testing.B) {
	benchmarkCommand(b, "territory", "show", "CC Pays de Nemours")
}

// BenchmarkDiagnoseEPCIProcess is `diagnose` of one EPCI (CC Pays de
// Nemours, HTML and XLSX) as a whole command, start-up included (target:
// the whole process in 150 ms).
func BenchmarkDiagnoseEPCIProcess(b *testing.B) {
	benchmarkCommand(b, "diagnose", "epci:200023240", "--out", freshOut)
}

// BenchmarkDiagnoseEPCIByNameProcess is the same, the EPCI given by its
// name as in the command (`diagnose "CC Pays de Nemours"`).
func BenchmarkDiagnoseEPCIByNameProcess(b *testing.B) {
	benchmarkCommand(b, "diagnose", "CC Pays de Nemours", "--out", freshOut)
}

// BenchmarkBatch13Communes writes the HTML and Excel reports of the 119
// communes of the Bouches-du-Rhône as a whole command (target: 1.5 s on
// 2 cores).
func BenchmarkBatch13Communes(b *testing.B) {
	benchmarkCommand(b, "batch", "--departement", "13", "--by", "commune", "--out", freshOut)
}
