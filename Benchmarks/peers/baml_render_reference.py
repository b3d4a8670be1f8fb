"""The request BAML itself (PyPI baml-py 0.226.3) builds for functions of a baml_src folder, without
calling a model: each function's messages as [role, text] pairs, written as one JSON object by
function name. The reference of `Tests/AgentSchemaTests/Fixtures/render/expected.json`.

usage: baml_render_reference.py BAML_SRC WORKDIR ARGS.json OUT.json
  ARGS.json: {"FunctionName": {"param": value, ...}, ...}; a media argument (image, audio, pdf,
  video) is {"url": ...}, {"base64": ..., "media_type": ...} or {"file": path relative to BAML_SRC}.
A message whose parts are all text is [role, text]; one with media is [role, parts] with the parts
exactly as BAML sends them to the client's API.
"""
import base64, importlib, inspect, json, mimetypes, os, shutil, subprocess, sys

source, work, args_path, out_path = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
shutil.copytree(source, os.path.join(work, "baml_src"))
with open(os.path.join(work, "baml_src", "generator.baml"), "w") as generator:
    generator.write('generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "0.226.3"\n}\n')
subprocess.run([os.path.join(os.path.dirname(sys.executable), "baml-cli"), "generate", "--from", "baml_src", "--no-version-check"],
               cwd=work, check=True, stdout=subprocess.DEVNULL)
sys.path.insert(0, work)
b = importlib.import_module("baml_client.sync_client").b
import baml_py

MEDIA = {"Image": baml_py.Image, "Audio": baml_py.Audio, "Pdf": baml_py.Pdf, "Video": baml_py.Video}


def media(value, annotation):
    """A JSON argument as baml_py media where the parameter's type is (or holds) a media type."""
    kinds = [kind for name, kind in MEDIA.items() if f"Baml{name}Py" in str(annotation)]
    if isinstance(value, list):
        return [media(item, annotation) for item in value]
    if not kinds or not isinstance(value, dict):
        return value
    kind = kinds[0]
    if "url" in value:
        return kind.from_url(value["url"])
    if "file" in value:
        path = os.path.join(source, value["file"])
        data = base64.b64encode(open(path, "rb").read()).decode()
        mime = value.get("media_type") or mimetypes.guess_type(path)[0] or ""
        return kind.from_base64(data) if kind is baml_py.Pdf else kind.from_base64(mime, data)
    if kind is baml_py.Pdf:
        return kind.from_base64(value["base64"])
    return kind.from_base64(value.get("media_type", ""), value["base64"])


def with_media(function, arguments):
    """Arguments with media built; a class argument's media fields too (by the generated model's fields)."""
    types = importlib.import_module("baml_client.types")
    parameters = inspect.signature(getattr(b.request, function)).parameters
    built = {}
    for name, value in arguments.items():
        annotation = parameters[name].annotation
        model = getattr(types, str(annotation).split(".")[-1].strip("'>"), None)
        if isinstance(value, dict) and model is not None and hasattr(model, "model_fields"):
            value = model(**{key: media(item, model.model_fields[key].annotation) for key, item in value.items()})
        built[name] = media(value, annotation)
    return built


def content(message):
    parts = message["content"] if isinstance(message["content"], list) else [{"text": message["content"]}]
    if all(set(part) <= {"type", "text"} for part in parts):
        return "".join(part.get("text", "") for part in parts)
    return parts


rendered = {}
for function, arguments in json.load(open(args_path)).items():
    body = getattr(b.request, function)(**with_media(function, arguments)).body.json()
    # OpenAI and Anthropic send `messages` with `content`; Google sends `contents` with `parts`.
    # Anthropic sends system messages apart, as `system` (a string, or parts with role metadata).
    system = [{"role": "system", "content": body["system"]}] if body.get("system") else []
    messages = system + body.get("messages") if "messages" in body else None
    messages = messages or [{"role": c["role"], "content": c.get("parts", [])} for c in body.get("contents", [])]
    rendered[function] = [[m["role"], content(m)] for m in messages]
json.dump(rendered, open(out_path, "w"), indent=1, ensure_ascii=False)
print(f"{len(rendered)} functions rendered to {out_path}")
