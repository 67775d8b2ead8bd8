// Command diagsante builds territorial access-to-care diagnostics for any
// set of French communes from public open data.
package main

import (
	"context"
	"os"
)

// Set by the linker (see .goreleaser.yaml): -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	// Main handles Ctrl-C itself (signal.NotifyContext), so that the
	// scripts of testscript, which call Main, see it as the binary does.
	os.Exit(Main(context.Background(), BuildInfo{Version: version, Commit: commit, Date: date}, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
