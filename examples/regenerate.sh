#!/usr/bin/env bash
# Regenerates the sample reports of examples/ from the data embedded in the
# binary: a rural territory (CC Coeur de Lozère, around Mende) and an urban
# one (Métropole Toulon-Provence-Méditerranée, where the ARS publishes the
# CPTS perimeters). The reports are deterministic: a run on unchanged code
# and data rewrites the same bytes, on the same day — each report gives the
# day it was made and flags the data more than two years older.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/diagsante
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/diagsante
"$bin" diagnose epci:244800405 --out examples/rural-coeur-de-lozere --force
"$bin" diagnose epci:248300543 --out examples/urbain-toulon --force
# Three arrondissements of Marseille, places of their own (APL by arrondissement).
"$bin" diagnose "cpts:CPTS Actes Santé" --out examples/marseille-cpts-actes-sante --force
