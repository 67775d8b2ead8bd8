#!/usr/bin/env python3
"""Independent recomputation, from the raw files, of the counts pinned in
taxonomy_test.go (run: python3 check_taxonomy.py ../../../../shared/data/raw).
It re-implements the documented rules (CentreType, HospitalUnit) without the
Go code and reads the raw FINESS/SAE files, not the snapshot."""
import csv, gzip, re, sys, unicodedata, collections

raw = sys.argv[1] if len(sys.argv) > 1 else '../../../../shared/data/raw'
fold = lambda s: ' '.join(re.sub(r'[^a-z0-9]+', ' ', ''.join(c for c in unicodedata.normalize('NFD', s.lower()) if unicodedata.category(c) != 'Mn')).split())
NOTDENT = {'accident', 'accidents', 'occident', 'resident', 'residents', 'residence', 'president', 'independant', 'independante', 'prudent', 'ardent'}

def centre(name, long=''):
    w = set((fold(name) + ' ' + fold(long)).split()); f = ' ' + fold(name) + ' ' + fold(long) + ' '
    if any(x.startswith(('medic', 'medec', 'polyval')) or x in ('med', 'cms', 'csp', 'polyv') for x in w): return 'cds'
    if any(('dent' in x and x not in NOTDENT) or x == 'csd' or x.startswith('orthodont') for x in w): return 'cds_dentaire'
    if any(x.startswith('infirm') or x in ('inf', 'infir', 'csi') for x in w): return 'cds_infirmier'
    if any(x.startswith(('ophta', 'ophtl')) or 'vision' in x for x in w): return 'cds_ophtalmo'
    if any(' %s ' % p in f for p in ('planning familial', 'planification familiale', 'plan fam', 'sante sexuelle', 'sage femme', 'sages femmes', 'audition')) or \
       any(x.startswith(('kine', 'orthophon', 'radiolog', 'imagerie', 'addictolog', 'audio')) or x in ('cpef', 'ivg', 'cegidd', 'csapa', 'vaccination', 'depistage') for x in w): return 'cds_autre'
    return 'cds'

occ = list(csv.DictReader(open(raw + '/finess-occitanie/etablissements_occitanie.csv', encoding='utf-8'), delimiter=';'))
prox = [r for r in occ if re.search(r'\b(hop|hopital de) proximite\b', fold(r['rslongue']))]
print('Occitanie 2026: hôpitaux de proximité (marker in rslongue):', len(prox), dict(collections.Counter(r['categetab'] for r in prox)))
flat = list(csv.DictReader(gzip.open(raw + '/finess-fhir-2021/finess_etablissements_20210108_flat.csv.gz', 'rt'), delimiter=';'))
c93 = collections.Counter(centre(r['rs']) for r in flat if r['categetab'] in ('124', '439') and r['nofinesset'].startswith('93'))
print('93 centres (FINESS 2021, FINESS number 93…):', sum(c93.values()), dict(c93), '; names with "dentaire":',
      sum('DENT' in r['rs'] for r in flat if r['categetab'] == '124' and r['nofinesset'].startswith('93')))
c48 = collections.Counter(centre(r['raison_sociale'], r['rslongue']) for r in occ if r['categetab'] in ('124', '439') and r['departement'] == '48')
print('48 centres (Occitanie 2026):', dict(c48))
sae = raw + '/drees-sae-2020-urgences-perinat/'
u = {r['nofinesset'] for r in csv.DictReader(open(sae + 'sae_urgences_2020.csv', encoding='utf-8', errors='replace'), delimiter=';') if r['AN'] == '2020' and r['AUTSU'] == '1'}
m = {r['nofinesset'] for r in csv.DictReader(open(sae + 'sae_perinat_2020.csv', encoding='utf-8', errors='replace'), delimiter=';') if r['AN'] == '2020' and r['AUTOR'].startswith('TYPE')}
print('974 (FINESS 9704…), SAE 2020: urgences', sum(f.startswith('9704') for f in u), 'maternités', sum(f.startswith('9704') for f in m))
print('FINESS 2021 rows of 617/618/648:', sum(r['categetab'] in ('617', '618', '648') for r in flat), '; Mayotte (9706…/976…) rows:', sum(r['nofinesset'][:4] in ('9706', '9760') for r in flat))
