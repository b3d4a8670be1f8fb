"""BAML's own schema-aligned parser (PyPI baml-py) on a file of SAP cases, through a generated
client's b.parse / b.parse_stream, for `Benchmarks/run.sh sap-parse`.

All cases go into one BAML project (baml_sap_project.py); the client is checked against the
expected values, then every case is parsed REPEAT times.

usage: baml_sap_bench.py CASES.jsonl WORKDIR REPEAT
"""
import json, sys, time

from baml_sap_project import build_client, parser, plain

cases_path, work, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
cases = [json.loads(line) for line in open(cases_path) if line.strip()]
b = build_client(cases, work)


def run(i, case):
    return parser(b, i, case)(case["raw"])


agree = 0
for i, case in enumerate(cases):
    try:
        got, ok = plain(run(i, case)), True
    except Exception:
        got, ok = None, False
    agree += (not ok) if case.get("should_fail") else (ok and json.dumps(got, sort_keys=True) == json.dumps(case["expected"], sort_keys=True))
start = time.perf_counter()
for _ in range(repeat):
    for i, case in enumerate(cases):
        try:
            run(i, case)
        except Exception:
            pass
seconds = time.perf_counter() - start
print(f"baml-py {len(cases) * repeat} cases in {seconds:.3f} s: {len(cases) * repeat / seconds:.0f} cases/s ({agree}/{len(cases)} as expected)")
