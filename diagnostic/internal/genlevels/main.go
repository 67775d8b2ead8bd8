// Command genlevels computes the figures of every comparison level of the
// embedded snapshot and writes them, with the snapshot's fingerprint, for
// the diagnostic package to embed (see diagnostic/levels.go). Run it with
// `go generate ./diagnostic` after regenerating the snapshot or changing
// how figures are computed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
)

func main() {
	out := flag.String("out", "data/levels.json.gz", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genlevels:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		return err
	}
	b, err := diagnostic.StoredLevelsFile(s)
	if err != nil {
		return err
	}
	// A temporary name, then a rename: an interrupted run leaves the old
	// file whole.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".levels-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
