"""What BAML's own schema-aligned parser (PyPI baml-py 0.226.3) makes of each case of a file:
the reference that `Tests/AgentSchemaTests/Fixtures/*.jsonl` record as `expected`.

Reads cases (`id`, `baml`, `target`, `raw`, `partial`; see shared/baml/README.md), builds one BAML
project of them (baml_sap_project.py), parses each raw text, and writes the cases back with
`expected` (the value, JSON) and `should_fail` (BAML raised) filled in from BAML.

usage: baml_sap_reference.py CASES.jsonl WORKDIR OUT.jsonl
"""
import json, sys

from baml_sap_project import build_client, parser, plain

cases_path, work, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
cases = [json.loads(line) for line in open(cases_path) if line.strip()]
b = build_client(cases, work)

with open(out_path, "w") as out:
    for i, case in enumerate(cases):
        try:
            case["expected"], case["should_fail"] = plain(parser(b, i, case)(case["raw"])), False
        except Exception:
            case["expected"], case["should_fail"] = None, True
        case.setdefault("partial", False)
        case.setdefault("macro", "test_partial_deserializer_streaming" if case["partial"] else "test_deserializer")
        out.write(json.dumps(case) + "\n")
print(f"{len(cases)} cases written to {out_path}")
