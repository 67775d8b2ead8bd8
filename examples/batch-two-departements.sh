#!/bin/sh
# Writes one diagnostic per EPCI for two départements, each with its index,
# as a scheduled job would (cron, CI). Exit status is non-zero when a unit
# failed; the other units are still written.
set -eu
OUT=${1:-rapports}
for dep in 48 77; do
	diagsante batch --departement "$dep" --by epci --out "$OUT/$dep" --format html,xlsx
done
echo "open $OUT/48/index.html and $OUT/77/index.html"
