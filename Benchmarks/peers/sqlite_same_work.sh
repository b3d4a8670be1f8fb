#!/bin/bash
# Peer: the sqlite3 shell doing the job of a BMF import. It loads the CSV into a table with the
# same columns, key and types as Catalynx's `organizations` (the schema is copied from SCHEMA_DB,
# a database Catalynx made), then builds the same secondary indexes and the same FTS5 name index.
# Same page cache as Catalynx's import (400 MB). Prints each phase's seconds and their sum.
# Usage: sqlite_same_work.sh FILE.csv SCHEMA_DB
set -e
csv=$1 schema=$2
db=$(mktemp -u /tmp/same-work-XXXX.sqlite)
trap 'rm -f "$db" "$db-wal" "$db-shm" "$db-journal"' EXIT
statements() { sqlite3 "$schema" "SELECT sql || ';' FROM sqlite_master WHERE tbl_name = 'organizations' AND type = '$1' AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"; }
sqlite3 "$db" "PRAGMA journal_mode = WAL;" >/dev/null
sqlite3 "$db" "$(statements table)"
sqlite3 "$db" "$(sqlite3 "$schema" "SELECT sql || ';' FROM sqlite_master WHERE name = 'organizations_fts'")"
now() { date +%s.%N; }
phase() { echo "$1 $(echo "$3 - $2" | bc)"; }
text() { echo "nullif($1, '')"; }

t0=$(now)
sqlite3 "$db" <<SQL
PRAGMA cache_size = -400000;
.import --csv $csv staging
SQL
t1=$(now)
sqlite3 "$db" <<SQL
PRAGMA cache_size = -400000;
INSERT INTO organizations (ein, name, in_care_of, street, city, state, zip, group_exemption, subsection, affiliation,
    classification, ruling, deductibility, foundation, activity, organization_code, status, tax_period, asset_code,
    income_code, filing_requirement, pf_filing_requirement, accounting_period, assets, income, revenue, ntee_code,
    ntee_major, sort_name, source)
SELECT EIN, NAME, $(text ICO), $(text STREET), $(text CITY), $(text STATE), $(text ZIP), $(text '"GROUP"'), $(text SUBSECTION),
    $(text AFFILIATION), $(text CLASSIFICATION), $(text RULING), $(text DEDUCTIBILITY), $(text FOUNDATION), $(text ACTIVITY),
    $(text ORGANIZATION), $(text STATUS), $(text TAX_PERIOD), $(text ASSET_CD), $(text INCOME_CD), $(text FILING_REQ_CD),
    $(text PF_FILING_REQ_CD), $(text ACCT_PD), CAST($(text ASSET_AMT) AS INTEGER), CAST($(text INCOME_AMT) AS INTEGER),
    CAST($(text REVENUE_AMT) AS INTEGER), upper($(text NTEE_CD)), upper(substr($(text NTEE_CD), 1, 1)), $(text SORT_NAME), 'bmf'
FROM staging;
DROP TABLE staging;
SQL
t2=$(now)
sqlite3 "$db" "PRAGMA cache_size = -400000; $(statements index)"
t3=$(now)
sqlite3 "$db" "PRAGMA cache_size = -400000; INSERT INTO organizations_fts(organizations_fts) VALUES ('rebuild');"
t4=$(now)
rows=$(sqlite3 "$db" "SELECT count(*) FROM organizations")
indexes=$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'organizations' AND sql IS NOT NULL")
echo "$(phase import "$t0" "$t1"), $(phase insert "$t1" "$t2"), $(phase indexes "$t2" "$t3"), $(phase fts "$t3" "$t4")"
echo "sqlite3 same work: $rows rows, $indexes indexes and the FTS5 index in $(echo "$t4 - $t0" | bc) s"
