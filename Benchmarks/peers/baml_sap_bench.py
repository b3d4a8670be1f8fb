"""BAML's own schema-aligned parser (PyPI baml-py) on a file of SAP cases, through a generated
client's b.parse / b.parse_stream, for `Benchmarks/run.sh sap-parse`.

All cases go into one BAML project: each case's declarations are renamed C<i>_<Name> so that
cases that reuse a name (Foo, Test, ...) do not clash, and each case gets a function F<i>
returning its target type. The client is generated with baml-cli, imported, checked against the
expected values, then every case is parsed REPEAT times.

usage: baml_sap_bench.py CASES.jsonl WORKDIR REPEAT
"""
import importlib, json, os, re, subprocess, sys, time

cases_path, work, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
cases = [json.loads(line) for line in open(cases_path) if line.strip()]
src = os.path.join(work, "baml_src")
os.makedirs(src, exist_ok=True)
parts = ['generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "0.226.3"\n}\n']
for i, case in enumerate(cases):
    names = re.findall(r"^\s*(?:class|enum|type)\s+(\w+)", case["baml"], re.M)
    def rename(text):
        for name in sorted(set(names), key=len, reverse=True):
            text = re.sub(r"(?<![\w\"])" + re.escape(name) + r"(?![\w\"])", f"C{i}_{name}", text)
        return text
    baml = re.sub(r"function\s+\w+\(.*?\n\}\n?", "", case["baml"], flags=re.S)   # the cases' own functions are not needed
    parts.append(rename(baml))
    parts.append(f'function F{i}() -> {rename(case["target"])} {{\n  client "openai/gpt-4o"\n  prompt #"{{{{ ctx.output_format }}}}"#\n}}\n')
open(os.path.join(src, "main.baml"), "w").write("\n".join(parts))
subprocess.run([os.path.join(os.path.dirname(sys.executable), "baml-cli"), "generate", "--from", src], check=True,
               stdout=subprocess.DEVNULL, stderr=sys.stderr)
sys.path.insert(0, work)
b = importlib.import_module("baml_client").b

def run(i, case):
    fn = getattr(b.parse_stream if case.get("partial") else b.parse, f"F{i}")
    return fn(case["raw"])

def plain(value):
    if hasattr(value, "model_dump"): return plain(value.model_dump(by_alias=False))
    if isinstance(value, dict): return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list): return [plain(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "name") and not isinstance(value, (str, int, float, bool)): return value.value
    return value

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
