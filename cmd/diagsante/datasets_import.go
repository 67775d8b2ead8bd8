package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/templates"
)

type datasetsImportOptions struct {
	*globalOptions
	Sources importer.Sources
	// ReplaceNational makes each file replace its whole table instead of
	// the départements it covers.
	ReplaceNational bool
	// AllowShrink lets a file remove more than 10 % of the rows of the
	// départements it replaces.
	AllowShrink bool
	// NoWait fails instead of waiting for another import into the folder.
	NoWait bool
}

func newDatasetsImportCommand(g *globalOptions) *cobra.Command {
	opts := &datasetsImportOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "import [--rpps FILE [--rpps-savoir-faire FILE]] [--finess FILE] [--apl FILE] [--population FILE] [--ages FILE] [--cpts FILE] [--replace-national] [--allow-shrink] [--no-wait]",
		Short: "Import official files into the local snapshot, which takes precedence over the embedded one",
		Long: `Read official files in their published formats and store the tables they
give in the local snapshot (the user data folder, or --data-dir /
DIAGSANTE_DATA_DIR). Every later command uses them over the embedded
snapshot, table by table, and says so on standard error. The local snapshot
holds only the imported tables: importing another file later keeps the
tables imported before.

A file covers the départements it has rows in: its table replaces the rows
of those départements only, and the other départements keep what the table
in use holds (an earlier import, else the embedded snapshot). Importing a
Lozère FINESS or RPPS extraction changes Lozère and nothing else. Each table
records, per département, which source and vintage it holds (datasets info
shows it). --replace-national makes each file replace its whole table
instead: the table then covers only the file's départements, and figures
elsewhere are unknown (not zero).

  --rpps        Annuaire Santé extraction of the professionals' activities,
                recognised by its header whatever its name: the file
                data.gouv publishes (ps-libreacces-personne-activite.txt),
                PS_LibreAcces_Personne_activite_*.txt, either gzip'd, or the
                PS_LibreAcces_*.zip archive, read without extracting it (its
                savoir-faire companion used when needed). Vintage: the
                timestamp in the name, else the file's date (said so)
                → table professionals (people per commune and profession,
                  each counted once per commune, of whom libéraux; a "GP" row
                  for médecins with savoir-faire SM54, SM53 or SM26)
                → table gp_rpps, the GPs as people: one row per GP and place
                  where they practise as the DREES APL counts them (libéral,
                  or salaried in a centre de santé, secteur SA05; hospital
                  and other salaried activities left out); arrondissement
                  codes (751xx, 6938x, 132xx) kept. A territory counts
                  distinct people: a GP with two sites in it counts once
                → table gp_bpe, the GPs per commune of the maps and
                  indicators: in each commune, the GPs of gp_rpps with a
                  site there (sites: a GP of two communes counts in both)
  --rpps-savoir-faire  PS_LibreAcces_SavoirFaire_*.txt (or .gz, or the zip),
                required when the activity file has no savoir-faire columns
                (newest extractions) and no archive gives them
  --finess      FINESS etalab extraction etalab-cs1100507-stock-*.csv, or
                the FiNESS+ JSON structures flow finess-structures-*.json
                (.json or .json.gz, read as a stream; closed sites skipped)
                (also the flat 2021 and Occitanie layouts) → table
                establishments (access-to-care categories and SAE sites;
                commune from the INSEE code, else the point in the commune
                contours; points more than 2 km outside the commune they
                claim are reported).
  --apl         DREES APL workbook (.xlsx) → table apl, every vintage sheet:
                a sheet with the header row "Code commune INSEE", whatever
                its name; vintage from the name ("APL 2024", "APL_2025"),
                else its "Millésime" note, else its populations' year + 2
  --population  INSEE populations de référence donnees_communes.csv
                → table communes with the population municipale updated
  --ages        INSEE base-cc-evol-struct-pop-YYYY.CSV: read and validated
                only — no table stores ages by commune yet, nothing is written
  --cpts        CPTS list, cpts_nom;code_commune_insee[;statut] (or the ARS
                PACA file) → table cpts (a list of another région keeps the
                embedded PACA perimeters)
  --replace-national  each file replaces its whole table (see above)
  --allow-shrink  import a file that removes more than 10 % of the rows of
                the départements it replaces (or empties them); without it
                such an import is refused, with the rows it would remove
                per département
  --no-wait     fail (exit 1) when another import is writing the same
                folder, instead of waiting for it

Commune codes are mapped onto the COG 2026: old codes of merged communes to
today's commune, arrondissements to their commune (the APL keeps its codes,
as published); codes unknown to the COG are counted as unmatched. The
vintage is read from the file (FINESS header date, RPPS file name
timestamp, APL sheet names, the year in the population file's name).

The import is atomic: the new local snapshot is written to a temporary
folder next to the target, checked, then renamed. One import at a time
writes a folder: a second one waits for the first (an advisory lock on the
file .<folder>.lock beside it), then merges into what the first wrote.
Work folders left by an import that was killed are removed by the next. A file that does not
parse stops the import with its file, line and column, and the previous
local snapshot stays as it was.

To go back to the embedded snapshot, remove the local snapshot folder.
` + exitStatusHelp,
		Example: `  diagsante datasets import --finess etalab-cs1100507-stock-20260504-0336.csv
  diagsante datasets import --rpps PS_LibreAcces_Personne_activite_202601150830.txt \
      --rpps-savoir-faire PS_LibreAcces_SavoirFaire_202601150830.txt
  diagsante datasets import --apl apl_medecins_generalistes_2022_2023.xlsx --data-dir ./snapshot`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Sources.Empty() {
				return usageErr(errors.New("no file to import: give at least one of --rpps, --finess, --apl, --population, --ages, --cpts"))
			}
			if opts.Sources.RPPSSavoirFaire != "" && opts.Sources.RPPS == "" {
				return usageErr(errors.New("--rpps-savoir-faire needs --rpps (the activity file it completes)"))
			}
			return runDatasetsImport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Sources.RPPS, "rpps", "", "Annuaire Santé activity extraction `FILE` (ps-libreacces-personne-activite.txt, PS_LibreAcces_Personne_activite_*.txt, .gz, or the PS_LibreAcces_*.zip)")
	f.StringVar(&opts.Sources.RPPSSavoirFaire, "rpps-savoir-faire", "", "Annuaire Santé savoir-faire companion `FILE` (PS_LibreAcces_SavoirFaire_*.txt, .gz or zip)")
	f.StringVar(&opts.Sources.FINESS, "finess", "", "FINESS extraction `FILE` (etalab-cs1100507-stock-*.csv or FiNESS+ finess-structures-*.json[.gz])")
	f.StringVar(&opts.Sources.APL, "apl", "", "DREES APL workbook `FILE` (.xlsx)")
	f.StringVar(&opts.Sources.Population, "population", "", "INSEE populations de référence `FILE` (donnees_communes.csv)")
	f.StringVar(&opts.Sources.Ages, "ages", "", "INSEE age structure `FILE` (base-cc-evol-struct-pop-YYYY.CSV), validated only, not stored")
	f.StringVar(&opts.Sources.CPTS, "cpts", "", "CPTS list `FILE` (cpts_nom;code_commune_insee[;statut])")
	f.BoolVar(&opts.ReplaceNational, "replace-national", false, "replace each table whole, not only the départements the file covers")
	f.BoolVar(&opts.AllowShrink, "allow-shrink", false, "import even when a file removes more than 10 % of the rows of the départements it replaces")
	f.BoolVar(&opts.NoWait, "no-wait", false, "fail (exit 1) instead of waiting when another import is writing the same folder")
	return cmd
}

// rppsMemoryLimit is the soft memory limit of an RPPS import: peak RSS
// stays under 200 MB on the national file.
const rppsMemoryLimit = 150 << 20

func runDatasetsImport(ctx context.Context, opts *datasetsImportOptions) error {
	dir, err := snapshot.LocalDir(opts.DataDir)
	if err != nil {
		return err
	}
	if opts.Sources.RPPSOnly() && os.Getenv("GOMEMLIMIT") == "" {
		// A national RPPS extraction is 1 GB, read in a stream: the import
		// holds about 120 MB at most, and the collector would let the heap
		// grow to twice that between collections. A GOMEMLIMIT set by the
		// user wins.
		debug.SetMemoryLimit(rppsMemoryLimit)
	}
	embedded, err := importer.LoadEmbedded(opts.Sources)
	if err != nil {
		return err
	}
	// The snapshot in use is read by Import once it holds the folder's
	// lock: another import running now is waited for, then merged into.
	im := &importer.Importer{Embedded: embedded, ReplaceNational: opts.ReplaceNational, AllowShrink: opts.AllowShrink,
		NoWait: opts.NoWait, Log: opts.Stderr}
	if isTerminal(opts.Stderr) {
		im.Progress = opts.Stderr
	}
	results, err := im.Import(ctx, dir, opts.Sources)
	if err != nil {
		var ie *importer.InputError
		if errors.As(err, &ie) {
			err = usageErr(err)
		}
		if snapshot.HasLocal(dir) {
			return fmt.Errorf("%w\nnothing imported: the local snapshot %s is unchanged", err, dir)
		}
		return fmt.Errorf("%w\nnothing imported", err)
	}
	for _, r := range results {
		name := r.Table
		if name == "" {
			name = filepath.Base(r.File)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(opts.Stderr, "note: %s: %s\n", name, n)
		}
	}
	tab := templates.Table{Header: []string{"Table", "File", "Vintage", "Read", "Rows", "Unmatched"}, Numeric: []bool{false, false, false, true, true, true}}
	written := false
	for _, r := range results {
		name := r.Table
		if name == "" {
			name = "(not stored)"
		} else {
			written = true
		}
		tab.Rows = append(tab.Rows, []string{name, filepath.Base(r.File), r.Vintage, strconv.Itoa(r.Read), strconv.Itoa(r.Rows), strconv.Itoa(r.Unmatched)})
	}
	if err := tab.Render(opts.Stdout); err != nil {
		return err
	}
	if written {
		fmt.Fprintf(opts.Stdout, "local snapshot: %s\n", dir)
	} else {
		fmt.Fprintln(opts.Stdout, "nothing written: the files given are validated only")
	}
	return nil
}

// isTerminal reports whether w is a terminal (a character device), where a
// progress line that rewrites itself is welcome; not for pipes and files.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
