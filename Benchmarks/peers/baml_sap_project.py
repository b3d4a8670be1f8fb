"""One BAML project of schema-aligned-parsing cases, shared by baml_sap_reference.py and
baml_sap_bench.py: each case's declarations are renamed C<i>_<Name> so that cases reusing a name
(Foo, Test, ...) do not clash, each case gets a function F<i> returning its target type, and the
Python client is generated with baml-cli and imported.
"""
import importlib, os, re, subprocess, sys


def build_client(cases, work):
    """The generated client's `b` for `cases` (dicts with `baml` and `target`), built in `work`."""
    src = os.path.join(work, "baml_src")
    os.makedirs(src, exist_ok=True)
    parts = ['generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "0.226.3"\n}\n']
    for i, case in enumerate(cases):
        names = re.findall(r"^\s*(?:class|enum|type)\s+(\w+)", case.get("baml", ""), re.M)

        def rename(text):
            for name in sorted(set(names), key=len, reverse=True):
                text = re.sub(r"(?<![\w\"])" + re.escape(name) + r"(?![\w\"])", f"C{i}_{name}", text)
            return text

        baml = re.sub(r"function\s+\w+\(.*?\n\}\n?", "", case.get("baml", ""), flags=re.S)   # the cases' own functions are not needed
        parts.append(rename(baml))
        parts.append(f'function F{i}() -> {rename(case["target"])} {{\n  client "openai/gpt-4o"\n  prompt #"{{{{ ctx.output_format }}}}"#\n}}\n')
    open(os.path.join(src, "main.baml"), "w").write("\n".join(parts))
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "baml-cli"), "generate", "--from", src], check=True,
                   stdout=subprocess.DEVNULL, stderr=sys.stderr)
    sys.path.insert(0, work)
    return importlib.import_module("baml_client").b


def parser(b, i, case):
    """The parse function of case i: b.parse_stream for partial cases, else b.parse."""
    return getattr(b.parse_stream if case.get("partial") else b.parse, f"F{i}")


def plain(value):
    """A parsed value as plain JSON data (models by field name, enums by value)."""
    if hasattr(value, "model_dump"): return plain(value.model_dump(by_alias=False))
    if isinstance(value, dict): return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list): return [plain(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "name") and not isinstance(value, (str, int, float, bool)): return value.value
    return value
