"""The request BAML itself (PyPI baml-py 0.226.3) builds for functions of a baml_src folder, without
calling a model: each function's messages as [role, text] pairs, written as one JSON object by
function name. The reference of `Tests/AgentSchemaTests/Fixtures/render/expected.json`.

usage: baml_render_reference.py BAML_SRC WORKDIR ARGS.json OUT.json
  ARGS.json: {"FunctionName": {"param": value, ...}, ...}
"""
import importlib, json, os, shutil, subprocess, sys

source, work, args_path, out_path = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
shutil.copytree(source, os.path.join(work, "baml_src"))
with open(os.path.join(work, "baml_src", "generator.baml"), "w") as generator:
    generator.write('generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "0.226.3"\n}\n')
subprocess.run([os.path.join(os.path.dirname(sys.executable), "baml-cli"), "generate", "--from", "baml_src", "--no-version-check"],
               cwd=work, check=True, stdout=subprocess.DEVNULL)
sys.path.insert(0, work)
b = importlib.import_module("baml_client.sync_client").b
rendered = {}
for function, arguments in json.load(open(args_path)).items():
    body = getattr(b.request, function)(**arguments).body.json()
    # OpenAI and Anthropic send `messages` with `content`; Google sends `contents` with `parts`.
    messages = body.get("messages") or [{"role": c["role"], "content": c.get("parts", [])} for c in body.get("contents", [])]
    rendered[function] = [[m["role"], "".join(part.get("text", "") for part in (m["content"] if isinstance(m["content"], list) else [{"text": m["content"]}]))]
                          for m in messages]
json.dump(rendered, open(out_path, "w"), indent=1, ensure_ascii=False)
print(f"{len(rendered)} functions rendered to {out_path}")
