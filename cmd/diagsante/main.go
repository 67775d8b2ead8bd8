// Command diagsante builds territorial access-to-care diagnostics for any
// set of French communes from public open data.
package main

import (
	"context"
	"os"
	"os/signal"
)

// Set by the linker (see .goreleaser.yaml): -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := Main(ctx, BuildInfo{Version: version, Commit: commit, Date: date}, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
