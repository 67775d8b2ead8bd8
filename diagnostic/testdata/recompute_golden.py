#!/usr/bin/env python3
"""Independent recomputation of golden APL / population values from the raw open-data files.

This is the "check outside the code": it reads only the raw files (COG 2026, DREES APL 2022/2023,
ARS PACA CPTS perimeters), uses the Python standard library only, and shares no logic with the Go
code. The Go tests pin the values it writes to golden_raw.json.

    python3 recompute_golden.py [RAW_DIR]     # default RAW_DIR: ../../../shared/data/raw

Rules (docs/METHOD.md, DREES workbook note):
- A territory is a set of places: current communes (COG 2026 "commune-actuelle") and/or
  arrondissements municipaux. Population = COG population municipale of those places.
- APL row -> place: the row's code if it is a current commune or an arrondissement (an arrondissement
  also belongs to its city); else an old code mapped to its current commune through the COG
  (chefLieu of commune-deleguee/commune-associee, or anciensCodes of a current commune). An old code
  pointing to two different current communes is reported as ambiguous and mapped to nothing.
- Mean APL = sum(apl * pop_standardisee) / sum(pop_standardisee) over the rows of the territory
  (the DREES prescription); the total-population-weighted mean is given for comparison only.
- Population shares use each row's pop_totale, each row classified by its OWN published value,
  as published (three decimals: 2.501 is above 2.5): <= 2.5, in (2.5, 4], > 4 (national
  thresholds, arrêté of 13 Nov. 2017); same for the under-65 APL.
- Share from GPs aged 65+ = 1 - mean(APL under 65) / mean(APL).
"""
import csv
import gzip
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data", "raw")
COG = os.path.join(RAW, "cog-decoupage-administratif-2026")
VINTAGES = {"2022": "2020", "2023": "2021"}  # APL vintage -> population year of its columns


def load_json(name):
    path = os.path.join(COG, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# --- COG 2026 -------------------------------------------------------------------------------
cog = load_json("communes.json.gz")
current = {c["code"]: c for c in cog if c["type"] == "commune-actuelle"}
arrondissements = {c["code"]: c for c in cog if c["type"] == "arrondissement-municipal"}
old_targets = {}  # old code -> set of current communes it was merged into
for c in cog:
    if c["type"] in ("commune-deleguee", "commune-associee") and c["code"] != c["chefLieu"]:
        old_targets.setdefault(c["code"], set()).add(c["chefLieu"])
    if c["type"] == "commune-actuelle":
        for old in c.get("anciensCodes", []):
            if old != c["code"]:
                old_targets.setdefault(old, set()).add(c["code"])
ambiguous_old = {k: sorted(v) for k, v in old_targets.items() if len(v) > 1 and k not in current}
epcis = load_json("epci.json.gz")
departements = {d["code"]: d for d in load_json("departements.json")}
regions = {r["code"]: r for r in load_json("regions.json")}


def places_of_row(code):
    """Places an APL row belongs to: (current commune, arrondissement or None); None if unmapped."""
    if code in arrondissements:
        return arrondissements[code]["commune"], code
    if code in current:
        return code, None
    targets = old_targets.get(code, set())
    if len(targets) == 1:
        return next(iter(targets)), None
    return None


# --- DREES APL ------------------------------------------------------------------------------
def load_apl(vintage):
    year = VINTAGES[vintage]
    path = os.path.join(RAW, "drees-apl", f"apl_mg_{vintage}_communes.csv")
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            rows.append({
                "code": r["code_commune_insee"], "nom": r["commune"],
                "apl": float(r["apl_mg"]), "apl_u65": float(r["apl_mg_moins65"]),
                "popstd": float(r["pop_standardisee_" + year]), "poptot": float(r["pop_totale_" + year]),
            })
    for r in rows:
        p = places_of_row(r["code"])
        r["commune"], r["arrondissement"] = p if p else (None, None)
    return rows


apl = {v: load_apl(v) for v in VINTAGES}

# --- territories (each a set of place codes: current communes and/or arrondissements) --------
def epci_by_name(name):
    hits = [e for e in epcis if e["nom"] == name]
    assert len(hits) == 1, name
    return hits[0]


def cpts_places(name):
    path = os.path.join(RAW, "cpts-paca", "cpts_paca_2026-01_communes.csv")
    places = set()
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            if r["cpts_nom"] == name:
                arr = r["arrondissements_municipaux"].strip()
                places |= set(arr.split("|")) if arr else {r["code_commune_insee"]}
    return places


FRANCE = {c for c, x in current.items() if x["departement"] in departements and x["zone"] in ("metro", "drom")}
territories = {}
for name in ("CC Pays de Nemours", "CC du Sartenais Valinco Taravo", "CC de l'Oriente"):
    e = epci_by_name(name)
    territories[f"epci:{e['code']}"] = (name, {m["code"] for m in e["membres"]})
for dep in ("48", "93", "77", "13", "75"):
    territories[f"dep:{dep}"] = (departements[dep]["nom"], {c for c, x in current.items() if x["departement"] == dep})
territories["commune:13055"] = ("Marseille", {"13055"})
territories["arrondissement:13216"] = (arrondissements["13216"]["nom"], {"13216"})
territories["commune:93066"] = (current["93066"]["nom"], {"93066"})
territories["cpts:CPTS Actes Santé"] = ("CPTS Actes Santé", cpts_places("CPTS Actes Santé"))
for reg in ("93", "11"):
    territories[f"reg:{reg}"] = (regions[reg]["nom"], {c for c, x in current.items() if x["region"] == reg})
territories["france"] = ("France (métropole + DROM)", FRANCE)


def population(places):
    return sum(current[p]["population"] if p in current else arrondissements[p]["population"] for p in places)


def communes_of(places):
    return {p if p in current else arrondissements[p]["commune"] for p in places}


def in_territory(row, places):
    return row["commune"] in places or (row["arrondissement"] is not None and row["arrondissement"] in places)


# --- APL aggregation --------------------------------------------------------------------------
def wmean(rows, key, weight):
    den = math.fsum(r[weight] for r in rows)
    return math.fsum(r[key] * r[weight] for r in rows) / den if den else None


def band(value):
    return "le_2_5" if value <= 2.5 else ("2_5_to_4" if value <= 4 else "gt_4")


def shares(rows, key):
    total = math.fsum(r["poptot"] for r in rows)
    return {b: (math.fsum(r["poptot"] for r in rows if band(r[key]) == b) / total if total else None)
            for b in ("le_2_5", "2_5_to_4", "gt_4")}


def aggregate(rows):
    mean, mean_u65 = wmean(rows, "apl", "popstd"), wmean(rows, "apl_u65", "popstd")
    return {
        "apl_mean": mean,
        "apl_u65_mean": mean_u65,
        "share_from_gps_65_plus": (1 - mean_u65 / mean) if mean else None,
        "apl_mean_weighted_by_pop_totale": wmean(rows, "apl", "poptot"),
        "apl_u65_mean_weighted_by_pop_totale": wmean(rows, "apl_u65", "poptot"),
        "pop_shares": shares(rows, "apl"),
        "pop_shares_u65": shares(rows, "apl_u65"),
        "rows": len(rows),
        "pop_totale_sum": math.fsum(r["poptot"] for r in rows),
        "pop_standardisee_sum": math.fsum(r["popstd"] for r in rows),
    }


def row_view(r):
    return {k: r[k] for k in ("code", "nom", "apl", "apl_u65", "popstd", "poptot", "commune", "arrondissement")}


out = {"territories": {}, "vintages": {}}
for key, (name, places) in territories.items():
    t = {"name": name, "population": population(places), "communes": len(communes_of(places)),
         "arrondissements": sorted(p for p in places if p in arrondissements), "apl": {}}
    for v, rows in apl.items():
        sel = [r for r in rows if in_territory(r, places)]
        t["apl"][v] = aggregate(sel)
        if len(sel) <= 30:
            t["apl"][v]["published_rows"] = [row_view(r) for r in sorted(sel, key=lambda r: r["code"])]
    out["territories"][key] = t

# --- data facts: unmapped rows, zero populations, current communes without a row, mergers ----
WATCH = ["85084", "85165", "85212", "15141", "15031", "15035", "15047", "15171",
         "60054", "60694", "60455", "93066", "93059"]
for v, rows in apl.items():
    by_code = {r["code"]: r for r in rows}
    mapped = {r["commune"] for r in rows if r["commune"]}
    out["vintages"][v] = {
        "rows": len(rows),
        "unmapped_rows": [row_view(r) for r in rows if r["commune"] is None],
        "old_code_rows": {r["code"]: r["commune"] for r in rows
                          if r["code"] not in current and r["code"] not in arrondissements and r["commune"]},
        "zero_population_rows": [dict(row_view(r), commune_population_cog2026=current[r["commune"]]["population"])
                                 for r in rows if r["poptot"] == 0 or r["popstd"] == 0],
        "current_communes_without_row": {c: [current[c]["nom"], current[c]["population"]] for c in sorted(FRANCE)
                                         if c not in mapped and not c.startswith("976")},
        "watched_rows": {c: row_view(by_code[c]) for c in WATCH if c in by_code},
    }
out["cog_watched"] = {c: [{k: x.get(k) for k in ("type", "nom", "population", "chefLieu", "anciensCodes")}
                          for x in cog if x["code"] == c] for c in WATCH}
out["cog_ambiguous_old_codes"] = ambiguous_old

# --- all EPCI: standardised vs total population weighting -----------------------------------
changes = {}
for v, rows in apl.items():
    by_commune = {}
    for r in rows:
        by_commune.setdefault(r["commune"], []).append(r)
    differ, reclassed, n = [], [], 0
    for e in sorted(epcis, key=lambda e: e["code"]):
        sel = [r for m in e["membres"] for r in by_commune.get(m["code"], [])]
        std, tot = wmean(sel, "apl", "popstd"), wmean(sel, "apl", "poptot")
        if std is None or tot is None:
            continue
        n += 1
        if abs(std - tot) > 0.005 * tot:
            differ.append(e["code"])
        if band(std) != band(tot):
            reclassed.append({"epci": e["code"], "nom": e["nom"], "std": std, "tot": tot})
    changes[v] = {"epci_with_rows": n, "differ_more_than_0_5_pct": len(differ), "class_changes": reclassed}
out["epci_weighting_comparison"] = changes


def rounded(x):
    if isinstance(x, float):
        return round(x, 6) if not x.is_integer() else int(x)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return x


with open(os.path.join(HERE, "golden_raw.json"), "w", encoding="utf-8") as f:
    json.dump(rounded(out), f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write("\n")
