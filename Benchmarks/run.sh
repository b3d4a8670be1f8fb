#!/usr/bin/env bash
# Runs one benchmark beside its peer, in the same run, and ends with one line:
#   NAME: <ours> <unit> vs <peer> <figure> <unit> = <ratio>x     (ratio > 1: we are better)
# Usage: Benchmarks/run.sh engine [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-}"
venv="${CATALYNX_PEERS_VENV:-/tmp/catalynx-peers}"
work="$(mktemp -d /tmp/catalynx-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

build() {
    echo "building the benchmarks (release)…" >&2
    # The root package is a path dependency: drop the cached build plan so that files added to or
    # removed from it are seen.
    rm -f "$here/.build/release.yaml" "$here"/.build/*/release/description.json
    swift build -c release --package-path "$here" --product catalynx-bench >&2
    bench="$(swift build -c release --package-path "$here" --show-bin-path)/catalynx-bench"
}

peer_venv() {
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import $1" 2>/dev/null; then
        echo "setting up the peer in $venv ($2)…" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q $2 >&2
    fi
}

rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1].split(' ',1)[1])['$2'])" "$1"; }

case "$name" in
engine)
    runs="${2:-3000}"
    build
    peer_venv langgraph "langgraph langgraph-checkpoint-sqlite"
    echo "== Catalynx: six-step linear workflow of no-op tools, $runs runs in sequence, each step durable before the next" >&2
    ours_normal=$("$bench" engine --runs "$runs" --durability normal | grep '^result')
    ours_full=$("$bench" engine --runs "$((runs / 3))" --durability full | grep '^result')
    ours_concurrent=$("$bench" engine --runs "$runs" --durability normal --concurrency 64 | grep '^result')
    ours_concurrent_full=$("$bench" engine --runs "$((runs / 3))" --durability full --concurrency 64 | grep '^result')
    ours_memory=$("$bench" engine --runs "$runs" --store memory | grep '^result')
    echo "== LangGraph + SqliteSaver, same workflow shape" >&2
    lg_normal=$("$venv/bin/python" "$here/peers/langgraph_engine_bench.py" "$((runs / 6))" "$work/lg-normal.db" --synchronous NORMAL)
    lg_full=$("$venv/bin/python" "$here/peers/langgraph_engine_bench.py" "$((runs / 6))" "$work/lg-full.db")
    echo "== SQLite single-row commit limit on this disk" >&2
    limit=$(python3 "$here/peers/sqlite_commit_limit.py" "$work")

    on=$(field "$ours_normal" steps_per_s); of=$(field "$ours_full" steps_per_s)
    oc=$(field "$ours_concurrent" steps_per_s); ocf=$(field "$ours_concurrent_full" steps_per_s); om=$(field "$ours_memory" steps_per_s)
    ln=$(echo "$lg_normal" | sed -E 's/.* ([0-9.]+) steps\/s.*/\1/'); lf=$(echo "$lg_full" | sed -E 's/.* ([0-9.]+) steps\/s.*/\1/')
    cn=$(echo "$limit" | sed -nE 's/journal=wal synchronous=NORMAL: ([0-9]+) commits\/s/\1/p')
    cf=$(echo "$limit" | sed -nE 's/journal=wal synchronous=FULL: ([0-9]+) commits\/s/\1/p')
    python3 - "$on" "$of" "$oc" "$ocf" "$om" "$ln" "$lf" "$cn" "$cf" <<'PY'
import sys
on, of, oc, ocf, om, ln, lf, cn, cf = map(float, sys.argv[1:])
rows = [
    ("Catalynx, WAL + NORMAL, 1 run at a time", on),
    ("Catalynx, WAL + NORMAL, 64 concurrent runs", oc),
    ("Catalynx, WAL + FULL, 1 run at a time", of),
    ("Catalynx, WAL + FULL, 64 concurrent runs", ocf),
    ("Catalynx, in-memory store (no durability)", om),
    ("LangGraph + SqliteSaver, NORMAL", ln),
    ("LangGraph + SqliteSaver, FULL", lf),
    ("SQLite single-row commits/s, WAL + NORMAL", cn),
    ("SQLite single-row commits/s, WAL + FULL", cf),
]
for label, value in rows:
    print(f"  {label:<45} {value:>10,.0f} steps/s", file=sys.stderr)
print(f"  vs LangGraph at NORMAL: {on/ln:.1f}x one run at a time, {oc/ln:.1f}x with 64 concurrent runs (target 20x); at FULL: {of/lf:.1f}x and {ocf/lf:.1f}x", file=sys.stderr)
print(f"  vs the commit limit at NORMAL: {on/cn:.2f} of it sequentially (target >= 0.5), {oc/cn:.2f} with 64 runs; at FULL: {of/cf:.2f} and {ocf/cf:.2f}", file=sys.stderr)
print(f"engine: {on:.0f} steps/s vs langgraph {ln:.0f} steps/s = {on/ln:.1f}x")
PY
    ;;
bmf-import)
    rows="${2:-1970000}"
    build
    csv="/tmp/catalynx-eo-$rows.csv"
    [ -f "$csv" ] || python3 "$here/peers/make_bmf_scale.py" --rows "$rows" --out "$csv" --src "$here/../data/eo_bmf" >&2
    echo "== sqlite3 .import of the same file into a bare table (the floor: no types, no key, no index)" >&2
    anchor=$(/usr/bin/time -v -o "$work/time-anchor.txt" bash "$here/peers/sqlite_import_anchor.sh" "$csv")
    echo "  $anchor (peak RSS $(( $(rss "$work/time-anchor.txt") / 1024 )) MB)" >&2
    echo "== Catalynx: BMFImporter into a fresh organization database, indexes and search index included" >&2
    ours=$(/usr/bin/time -v -o "$work/time-ours.txt" "$bench" bmf-import --file "$csv" --keep /tmp/catalynx-bench-orgs.sqlite | grep '^result')
    echo "  $ours (peak RSS $(( $(rss "$work/time-ours.txt") / 1024 )) MB)" >&2
    echo "== sqlite3 doing the same job: the same table, key and types, the same indexes and FTS5 build" >&2
    same=$(/usr/bin/time -v -o "$work/time-same.txt" bash "$here/peers/sqlite_same_work.sh" "$csv" /tmp/catalynx-bench-orgs.sqlite)
    echo "$same" | sed 's/^/  /' >&2
    echo "  (peak RSS $(( $(rss "$work/time-same.txt") / 1024 )) MB)" >&2
    python3 - "$(field "$ours" seconds)" "$(echo "$anchor" | sed -E 's/.* in ([0-9.]+) s/\1/')" \
        "$(echo "$same" | sed -nE 's/.* in ([0-9.]+) s$/\1/p')" "$rows" <<'PY'
import sys
ours, anchor, same, rows = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"  Catalynx {ours:.1f} s ({rows/ours:,.0f} rows/s); sqlite3 bare .import {anchor:.1f} s = {anchor/ours:.2f}x; "
      f"sqlite3 same work {same:.1f} s = {same/ours:.2f}x (target >= 0.9)", file=sys.stderr)
print(f"bmf-import: {ours:.1f} s vs sqlite3-same-work {same:.1f} s = {same/ours:.2f}x")
PY
    ;;
ein-lookup)
    lookups="${2:-1000000}"
    build
    db=/tmp/catalynx-bench-orgs.sqlite
    if [ ! -f "$db" ]; then
        csv=/tmp/catalynx-eo-1970000.csv
        [ -f "$csv" ] || python3 "$here/peers/make_bmf_scale.py" --rows 1970000 --out "$csv" --src "$here/../data/eo_bmf" >&2
        "$bench" bmf-import --file "$csv" --keep "$db" >&2
    fi
    echo "== Catalynx: $lookups random EIN look-ups in process" >&2
    ours=$("$bench" ein-lookup --db "$db" --lookups "$lookups" | grep '^result')
    echo "$ours" >&2
    echo "== Python sqlite3 on the same file (the seed's stack)" >&2
    peer=$(python3 "$here/peers/sqlite_ein_lookup.py" "$db" 200000)
    echo "$peer" >&2
    python3 - "$(field "$ours" p50_us)" "$(field "$ours" p99_us)" "$(echo "$peer" | sed -E 's/.*p50 ([0-9.]+) us.*/\1/')" <<'PY'
import sys
p50, p99, peer = map(float, sys.argv[1:])
print(f"  Catalynx p50 {p50:.1f} us, p99 {p99:.1f} us (target p50 < 20 us)", file=sys.stderr)
print(f"ein-lookup: {p50:.1f} us p50 vs python-sqlite3 {peer:.1f} us p50 = {peer/p50:.1f}x")
PY
    ;;
analyze)
    limit="${2:-0}"          # 0: every organization of the embedded dataset
    concurrency="${3:-8}"
    build
    db="$work/organizations.sqlite"
    echo "== loading the embedded dataset once" >&2
    "$bench" analyze --tier current --store noop --root "$here/.." --db "$db" --limit 1 >/dev/null
    results=()
    for tier in current standard enhanced complete; do
        for store in sqlite noop; do
            echo "== $tier tier, $store store, every organization ($concurrency at a time)" >&2
            line=$("$bench" analyze --tier "$tier" --store "$store" --root "$here/.." --db "$db" --limit "$limit" --concurrency "$concurrency" | grep '^result')
            echo "$line" >&2
            results+=("$line")
        done
    done
    python3 - "${results[@]}" <<'PY'
import json, sys
rows = [json.loads(arg.split(' ', 1)[1]) for arg in sys.argv[1:]]
by = {(r['tier'], r['store']): r for r in rows}
print(f"  {'tier':<9} {'store':<7} {'analyses':>9} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}  verdicts", file=sys.stderr)
for r in rows:
    print(f"  {r['tier']:<9} {r['store']:<7} {r['analyses']:>9,} {r['analyses_per_s']:>8,.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}  {r['verdicts']}", file=sys.stderr)
def total(store):
    return sum(r['analyses'] for r in rows if r['store'] == store) / sum(r['seconds'] for r in rows if r['store'] == store)
ours, noop = total('sqlite'), total('noop')
for tier in ['current', 'standard', 'enhanced', 'complete']:
    o, n = by[(tier, 'sqlite')], by[(tier, 'noop')]
    print(f"  {tier}: durable {o['analyses_per_s']:,.0f}/s vs no-op store {n['analyses_per_s']:,.0f}/s = {o['analyses_per_s']/n['analyses_per_s']:.2f}x", file=sys.stderr)
print(f"analyze: {ours:.0f} analyses/s vs no-op-store {noop:.0f} analyses/s = {ours/noop:.2f}x")
PY
    ;;
sap-parse)
    repeat="${2:-200}"
    build
    echo "building catalynx (release)…" >&2
    swift build -c release --package-path "$here" --product catalynx >&2
    catalynx="$(swift build -c release --package-path "$here" --show-bin-path)/catalynx"
    cases="$here/../Tests/AgentSchemaTests/Fixtures/sap_sample_cases.jsonl"
    peer_venv baml_py "baml-py==0.226.3 pydantic typing_extensions"
    echo "== Catalynx: catalynx baml parse --cases (60 cases) --repeat $repeat" >&2
    ours=$("$catalynx" baml parse --cases "$cases" --repeat "$repeat" 2>&1 >/dev/null | tail -1)
    echo "  $ours" >&2
    echo "== BAML's runtime (baml-py 0.226.3): b.parse / b.parse_stream of a generated client, same cases" >&2
    peer=$("$venv/bin/python" "$here/peers/baml_sap_bench.py" "$cases" "$work/baml" "$((repeat / 10 + 1))")
    echo "  $peer" >&2
    python3 - "$(echo "$ours" | sed -E 's/.*: ([0-9]+) cases\/s.*/\1/')" "$(echo "$peer" | sed -E 's/.*: ([0-9]+) cases\/s.*/\1/')" <<'PY'
import sys
ours, peer = float(sys.argv[1]), float(sys.argv[2])
print(f"  Catalynx {ours:,.0f} cases/s vs baml-py {peer:,.0f} cases/s (target ratio >= 10)", file=sys.stderr)
print(f"sap-parse: {ours:.0f} cases/s vs baml-py {peer:.0f} cases/s = {ours/peer:.1f}x")
PY
    ;;
baml-render)
    echo "building catalynx (release)…" >&2
    swift build -c release --package-path "$here" --product catalynx >&2
    catalynx="$(swift build -c release --package-path "$here" --show-bin-path)/catalynx"
    peer_venv baml_py "baml-py==0.226.3 pydantic typing_extensions"
    folders=("$here/../Tests/AgentSchemaTests/Fixtures/render" "$here/../Tests/AgentLLMTests/Fixtures/media")
    echo "== Every fixture function rendered by catalynx baml render and by BAML's runtime (b.request), compared" >&2
    read -r identical total < <("$venv/bin/python" "$here/peers/baml_render_compare.py" "$catalynx" "$work/render" "${folders[@]}" | tail -1)
    echo "  $identical of $total functions identical (messages, roles and content parts)" >&2
    python3 -c "import sys; i, t = int(sys.argv[1]), int(sys.argv[2]); print(f'baml-render: {i} identical functions vs baml-py {t} functions = {i / t:.2f}x')" "$identical" "$total"
    ;;
sap-fuzz)
    inputs="${2:-1000000}"
    build
    echo "== Catalynx: $inputs seeded random inputs through the schema-aligned parser" >&2
    "$bench" sap-fuzz --inputs "$inputs" --seed 1
    ;;
hostile-fuzz)
    inputs="${2:-300000}"
    build
    echo "== Catalynx: $inputs seeded hostile inputs through the workflow loader, the condition parser and the 990 XML reader" >&2
    "$bench" hostile-fuzz --inputs "$inputs" --seed 1
    ;;
http-lookup)
    seconds="${2:-10}"
    echo "building catalynx (release)…" >&2
    swift build -c release --package-path "$here" --product catalynx >&2
    catalynx="$(swift build -c release --package-path "$here" --show-bin-path)/catalynx"
    peer_venv fastapi "fastapi uvicorn"
    command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
    # The same random EINs for both: every organization in the embedded BMF files.
    python3 - "$here/../data/eo_bmf" "$work/eins.lua" <<'PY'
import csv, glob, os, random, sys
eins = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
    with open(f, newline="", encoding="latin-1") as fh:
        eins += [row["EIN"] for row in csv.DictReader(fh)]
random.seed(1)
random.shuffle(eins)
with open(sys.argv[2], "w") as out:
    out.write("eins = {" + ",".join('"%s"' % e for e in eins[:20000]) + "}\n")
    out.write('counter = 0\nrequest = function()\n  counter = counter + 1\n')
    out.write('  return wrk.format("GET", "/api/v1/organizations/" .. eins[(counter % #eins) + 1])\nend\n')
PY
    cat > "$work/start.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"workflow": "current_tier_analysis", "inputs": {"organization_ein": "54-1230284"}}'
wrk.headers["Content-Type"] = "application/json"
LUA
    port=$((20000 + RANDOM % 10000)); peer_port=$((port + 1))
    export CATALYNX_HOME="$work/home"
    "$catalynx" org show 541230284 >/dev/null 2>&1    # loads the embedded dataset
    key=$("$catalynx" keys create --name bench --scope write 2>/dev/null)
    "$catalynx" serve --port "$port" --log-format text >"$work/serve.log" 2>&1 &
    server=$!
    (cd "$work" && PEER_DB="$work/peer.sqlite" "$venv/bin/python" "$here/peers/fastapi_org_lookup.py" --port "$peer_port" --workers 2 \
        --bmf-dir "$here/../data/eo_bmf" >"$work/peer.log" 2>&1) &
    peer=$!
    trap 'kill $server $peer 2>/dev/null || true; pkill -P $peer 2>/dev/null || true; rm -rf "$work"' EXIT
    for url in "http://127.0.0.1:$port/health" "http://127.0.0.1:$peer_port/health"; do
        for _ in $(seq 1 300); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
    done
    measure() {  # URL SCRIPT [HEADER] -> "requests/s p99_ms"
        wrk -t2 -c64 -d"${seconds}s" --latency -s "$2" ${3:+-H "$3"} "$1" >"$work/wrk.txt"
        cat "$work/wrk.txt" >&2
        python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
value, unit = re.search(r"99%\s+([0-9.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(rps, p99, errors.group(1) if errors else 0)
PY
    }
    echo "== Catalynx: GET /api/v1/organizations/{ein} (profile, filings, grants, officers), wrk -t2 -c64 ${seconds}s" >&2
    read -r ours ours_p99 ours_errors <<<"$(measure "http://127.0.0.1:$port" "$work/eins.lua" "Authorization: Bearer $key")"
    echo "== FastAPI + uvicorn (2 workers): GET /api/v1/organizations/{ein} (the BMF row)" >&2
    read -r theirs theirs_p99 theirs_errors <<<"$(measure "http://127.0.0.1:$peer_port" "$work/eins.lua")"
    echo "== Catalynx: POST /api/v1/runs (current tier analysis started and driven in the background)" >&2
    read -r starts starts_p99 starts_errors <<<"$(measure "http://127.0.0.1:$port/api/v1/runs" "$work/start.lua" "Authorization: Bearer $key")"
    python3 - "$ours" "$ours_p99" "$ours_errors" "$theirs" "$theirs_p99" "$theirs_errors" "$starts" "$starts_p99" "$starts_errors" <<'PY'
import sys
ours, ours_p99, ours_err, theirs, theirs_p99, theirs_err, starts, starts_p99, starts_err = map(float, sys.argv[1:])
print(f"  look-up: Catalynx {ours:,.0f} req/s (p99 {ours_p99:.2f} ms, {ours_err:.0f} non-2xx) vs FastAPI {theirs:,.0f} req/s (p99 {theirs_p99:.2f} ms, {theirs_err:.0f} non-2xx)", file=sys.stderr)
print(f"  run starts: Catalynx {starts:,.0f} req/s (p99 {starts_p99:.2f} ms, {starts_err:.0f} non-2xx); the peer has no run API", file=sys.stderr)
print(f"http-lookup: {ours:.0f} req/s vs fastapi-uvicorn {theirs:.0f} req/s = {ours/theirs:.1f}x")
PY
    ;;
workers)
    runs="${2:-2000}"
    build
    catalynx="$(swift build -c release --package-path "$here" --show-bin-path)/catalynx"
    swift build -c release --package-path "$here" --product catalynx >&2
    peer_venv langgraph.checkpoint.postgres "langgraph langgraph-checkpoint-sqlite langgraph-checkpoint-postgres psycopg[binary]"
    pg_port=54400
    while (echo >"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$((pg_port + 1)); done
    server=$(PGTEST_PORT=$pg_port PGTEST_ROOT=/tmp bash "$here/../.ci/start_postgres.sh" 2>"$work/pg.log")
    stop=$(sed -n 's/^stop + delete with: //p' "$work/pg.log")
    trap 'sh "$stop" >/dev/null 2>&1; rm -rf "$work"' EXIT
    fresh_db() { psql "$server" -qc "CREATE DATABASE $1" >&2; echo "${server%/*}/$1"; }
    declare -A figures
    for workers in 1 2 4; do
        echo "== Catalynx: $runs six-step workflows enqueued, $workers catalynx worker process(es) x 8 slots on PostgreSQL" >&2
        line=$("$bench" workers --url "$(fresh_db "w$workers")" --catalynx "$catalynx" --runs "$runs" --workers "$workers" --concurrency 8 | grep '^result')
        echo "  $line" >&2
        figures[$workers]=$(field "$line" steps_per_s)
    done
    echo "== Catalynx on SQLite, in one process, 8 runs at a time (the embedded store)" >&2
    sqlite_line=$("$bench" engine --runs "$runs" --concurrency 8 | grep '^result')
    echo "  $sqlite_line" >&2
    echo "== LangGraph + PostgresSaver, same workflow shape, one process" >&2
    peer=$(cd "$here/peers" && "$venv/bin/python" langgraph_postgres_bench.py "$((runs / 4))" "$(fresh_db langgraph)")
    echo "  $peer" >&2
    python3 - "${figures[1]}" "${figures[2]}" "${figures[4]}" "$(field "$sqlite_line" steps_per_s)" "$(echo "$peer" | sed -E 's/.* ([0-9.]+) steps\/s.*/\1/')" <<'PY'
import sys
w1, w2, w4, sqlite, peer = map(float, sys.argv[1:])
print(f"  PostgreSQL workers: 1 → {w1:,.0f}, 2 → {w2:,.0f}, 4 → {w4:,.0f} steps/s; SQLite in process {sqlite:,.0f} steps/s; LangGraph+PostgresSaver {peer:,.0f} steps/s", file=sys.stderr)
print(f"workers: {w4:.0f} steps/s (4 workers) vs langgraph-postgres {peer:.0f} steps/s = {w4/peer:.1f}x")
PY
    ;;
funders)
    applicants="${2:-200}"
    peer_applicants="${3:-30}"
    build
    csv="/tmp/catalynx-eo-national-1970000.csv"
    db="/tmp/catalynx-funders-1970000.sqlite"
    [ -f "$csv" ] || python3 "$here/peers/make_bmf_scale.py" --rows 1970000 --national --out "$csv" --src "$here/../data/eo_bmf" >&2
    if [ ! -f "$db" ]; then
        echo "== setting up: 1,970,000 organizations, 110,000 grantors, about 1.5M grants resampled from the real ones (cached in $db)" >&2
        # Set up under another name, so that an interrupted setup is never taken for a finished one.
        "$bench" funders-setup --bmf "$csv" --db "$db.partial" --root "$here/.." >&2
        for suffix in "" -wal -shm; do [ ! -f "$db.partial$suffix" ] || mv "$db.partial$suffix" "$db$suffix"; done
        # Fold the write-ahead log into the file: reads through a large log are slower.
        python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$db"
    fi
    echo "== Catalynx: FunderScoring.score for $applicants applicants (evidence, every candidate scored, the 25 kept with their profiles)" >&2
    ours=$("$bench" funders --db "$db" --applicants "$applicants" --out "$work/applicants.txt" | grep '^result')
    echo "  $ours" >&2
    echo "== plain Python + sqlite3, the same matching on the raw grants and organizations, first $peer_applicants applicants" >&2
    peer=$(python3 "$here/peers/funders_python.py" "$db" "$work/applicants.txt" "$peer_applicants")
    echo "  $peer" >&2
    python3 - "$ours" "$peer" <<'PY'
import json, re, sys
ours = json.loads(sys.argv[1].split(' ', 1)[1])
peer = float(re.search(r"p50 ([0-9.]+) ms", sys.argv[2]).group(1))
print(f"  Catalynx p50 {ours['p50_ms']:.1f} ms, p99 {ours['p99_ms']:.1f} ms, {ours['candidates_per_applicant']:,.0f} candidates per applicant (target p50 < 100 ms, >= 5x the peer)", file=sys.stderr)
print(f"funders: {ours['p50_ms']:.1f} ms p50 vs python-sqlite3 {peer:.1f} ms p50 = {peer / ours['p50_ms']:.1f}x")
PY
    ;;
efile-import)
    returns="${2:-300000}"
    sample="${3:-2000}"
    build
    peer_venv irsx irsx
    data="/tmp/catalynx-efile-2024-$returns"
    if [ ! -f "$data/index_2024.csv" ]; then
        echo "== generating an e-file year: $returns returns ($((returns / 3)) 990-PF) with $((returns * 5)) grants from the real returns (cached in $data)" >&2
        rm -rf "$data.partial"
        python3 "$here/peers/make_efile_year.py" --returns "$returns" --pf "$((returns / 3))" --grants "$((returns * 5))" --out "$data.partial" >&2
        mv "$data.partial" "$data"
    fi
    echo "  $(du -sh "$data" | cut -f1) of archives; $(python3 -c "import zipfile,glob,sys; print(f'{sum(i.file_size for p in glob.glob(sys.argv[1]+\"/*.zip\") for i in zipfile.ZipFile(p).infolist())/1e9:.1f}')" "$data") GB of XML" >&2
    # 30 of the year's 990 filers and 10 of its foundations, spread over the index: analysed after the import.
    python3 - "$data/index_2024.csv" "$work/eins.txt" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pick = lambda form, n: [r["EIN"] for r in rows if r["RETURN_TYPE"] == form][:: max(1, len(rows) // (3 * n))][:n]
open(sys.argv[2], "w").write("\n".join(pick("990", 30) + pick("990PF", 10)) + "\n")
PY
    echo "== Catalynx on SQLite: data import-990 of the year's archives into the embedded dataset's database" >&2
    sqlite_import=$("$bench" efile-import --archives "$data" --db "$work/orgs.sqlite" --root "$here/.." | grep '^result')
    echo "  $sqlite_import" >&2
    sqlite_analyze=$("$bench" analyze --tier complete --db "$work/orgs.sqlite" --root "$here/.." --eins "$work/eins.txt" | grep '^result')
    echo "  analyze --tier complete after it: $sqlite_analyze" >&2
    pg_import='result {}'; pg_analyze='result {}'
    if [ -z "${CATALYNX_BENCH_SKIP_POSTGRES:-}" ]; then
        pg_port=54410
        while (echo >"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$((pg_port + 1)); done
        server=$(PGTEST_PORT=$pg_port PGTEST_ROOT=/tmp bash "$here/../.ci/start_postgres.sh" 2>"$work/pg.log")
        stop=$(sed -n 's/^stop + delete with: //p' "$work/pg.log")
        trap 'sh "$stop" >/dev/null 2>&1; rm -rf "$work"' EXIT
        echo "== Catalynx on PostgreSQL: the same import" >&2
        pg_import=$("$bench" efile-import --archives "$data" --postgres "$server" --root "$here/.." | grep '^result')
        echo "  $pg_import" >&2
        pg_analyze=$("$bench" analyze --tier complete --postgres "$server" --root "$here/.." --eins "$work/eins.txt" | grep '^result')
        echo "  analyze --tier complete after it: $pg_analyze" >&2
    fi
    echo "== irsx (PyPI), parsing $sample of the same returns, unpacked first (not timed)" >&2
    peer=$(/usr/bin/time -v -o "$work/time-irsx.txt" "$venv/bin/python" "$here/peers/irsx_parse.py" "$data" "$sample")
    echo "  $peer (peak RSS $(( $(rss "$work/time-irsx.txt") / 1024 )) MB)" >&2
    echo "== the ceiling: the same archives only inflated (zlib in C, one process per core), nothing parsed or written" >&2
    ceiling=$(python3 "$here/peers/inflate_ceiling.py" "$data")
    echo "  $ceiling" >&2
    python3 - "$sqlite_import" "$sqlite_analyze" "$pg_import" "$pg_analyze" "$peer" "$(rss "$work/time-irsx.txt")" "$ceiling" <<'PY'
import json, re, sys
load = lambda line: json.loads(line.split(' ', 1)[1])
si, sa, pi, pa = (load(a) for a in sys.argv[1:5])
peer = float(re.search(r"= ([0-9.]+) returns/s", sys.argv[5]).group(1))
rss_i = int(sys.argv[6] or 0) / 1024
ceiling = float(re.search(r"= ([0-9.]+) returns/s", sys.argv[7]).group(1))
print(f"  SQLite: {si['returns']:,} returns ({si['grants']:,} grants) in {si['seconds']:.1f} s = {si['returns_per_s']:,.0f} returns/s, "
      f"peak RSS {si['peak_rss_mb']} MB; analyze --tier complete p50 {sa['p50_ms']:.0f} ms, p99 {sa['p99_ms']:.0f} ms", file=sys.stderr)
if pi:
    print(f"  PostgreSQL: {pi['returns']:,} returns in {pi['seconds']:.1f} s = {pi['returns_per_s']:,.0f} returns/s ({pi['returns_per_s'] / peer:.1f}x irsx), "
          f"peak RSS {pi['peak_rss_mb']} MB; analyze --tier complete p50 {pa['p50_ms']:.0f} ms, p99 {pa['p99_ms']:.0f} ms", file=sys.stderr)
print(f"  irsx: {peer:,.1f} returns/s parsing only, peak RSS {rss_i:.0f} MB (targets: >= 20x irsx, peak RSS < 1 GB, analyze p50 < 200 ms)", file=sys.stderr)
print(f"  ceiling: inflating alone runs at {ceiling:,.0f} returns/s = {ceiling / peer:.1f}x irsx; the SQLite import reaches "
      f"{si['returns_per_s'] / ceiling:.0%} of it", file=sys.stderr)
print(f"efile-import: {si['returns_per_s']:.0f} returns/s vs irsx {peer:.1f} returns/s = {si['returns_per_s'] / peer:.1f}x")
PY
    ;;
*)
    echo "usage: Benchmarks/run.sh engine|bmf-import|ein-lookup|analyze|sap-parse|sap-fuzz|hostile-fuzz|http-lookup|workers|funders|efile-import [SIZE]" >&2
    exit 2
    ;;
esac
