"""What BAML's own schema-aligned parser (PyPI baml-py 0.226.3) makes of each case of a file:
the reference that `Tests/AgentSchemaTests/Fixtures/*.jsonl` record as `expected`.

Reads cases (`id`, `baml`, `target`, `raw`, `partial`; see shared/baml/README.md), builds one BAML
project of them (each case's declarations renamed C<i>_<Name>, a function F<i> returning its
target), generates the Python client with baml-cli, parses each raw text, and writes the cases
back with `expected` (the value, JSON) and `should_fail` (BAML raised) filled in from BAML.

usage: baml_sap_reference.py CASES.jsonl WORKDIR OUT.jsonl
"""
import importlib, json, os, re, subprocess, sys

cases_path, work, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
cases = [json.loads(line) for line in open(cases_path) if line.strip()]
src = os.path.join(work, "baml_src")
os.makedirs(src, exist_ok=True)
parts = ['generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "0.226.3"\n}\n']
for i, case in enumerate(cases):
    names = re.findall(r"^\s*(?:class|enum|type)\s+(\w+)", case.get("baml", ""), re.M)
    def rename(text):
        for name in sorted(set(names), key=len, reverse=True):
            text = re.sub(r"(?<![\w\"])" + re.escape(name) + r"(?![\w\"])", f"C{i}_{name}", text)
        return text
    parts.append(rename(case.get("baml", "")))
    parts.append(f'function F{i}() -> {rename(case["target"])} {{\n  client "openai/gpt-4o"\n  prompt #"{{{{ ctx.output_format }}}}"#\n}}\n')
open(os.path.join(src, "main.baml"), "w").write("\n".join(parts))
subprocess.run([os.path.join(os.path.dirname(sys.executable), "baml-cli"), "generate", "--from", src], check=True,
               stdout=subprocess.DEVNULL, stderr=sys.stderr)
sys.path.insert(0, work)
b = importlib.import_module("baml_client").b

def plain(value):
    if hasattr(value, "model_dump"): return plain(value.model_dump(by_alias=False))
    if isinstance(value, dict): return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list): return [plain(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "name") and not isinstance(value, (str, int, float, bool)): return value.value
    return value

with open(out_path, "w") as out:
    for i, case in enumerate(cases):
        fn = getattr(b.parse_stream if case.get("partial") else b.parse, f"F{i}")
        try:
            case["expected"], case["should_fail"] = plain(fn(case["raw"])), False
        except Exception:
            case["expected"], case["should_fail"] = None, True
        case.setdefault("partial", False)
        case.setdefault("macro", "test_partial_deserializer_streaming" if case["partial"] else "test_deserializer")
        out.write(json.dumps(case) + "\n")
print(f"{len(cases)} cases written to {out_path}")
