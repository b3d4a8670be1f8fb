"""How many functions Catalynx renders exactly as BAML (baml-py 0.226.3) does, in one run: for each
folder, BAML's requests come from baml_render_reference.py and ours from `catalynx baml render
--format json` (run in the folder, so media files resolve alike). Differences go to stderr; the last
line is "IDENTICAL TOTAL".

usage: baml_render_compare.py CATALYNX WORKDIR FOLDER... (each FOLDER has .baml files and arguments.json)
"""
import json, os, subprocess, sys

catalynx, work, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
reference = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baml_render_reference.py")
identical = total = 0
for index, folder in enumerate(folders):
    arguments = os.path.join(folder, "arguments.json")
    expected_path = os.path.join(work, f"expected-{index}.json")
    subprocess.run([sys.executable, reference, folder, os.path.join(work, f"project-{index}"), arguments, expected_path],
                   check=True, stdout=subprocess.DEVNULL)
    expected = json.load(open(expected_path))
    for function, args in json.load(open(arguments)).items():
        total += 1
        run = subprocess.run([catalynx, "baml", "render", function, "--dir", ".", "--args", json.dumps(args), "--format", "json"],
                             cwd=folder, capture_output=True, text=True)
        ours = [[m["role"], m["content"]] for m in json.loads(run.stdout)] if run.returncode == 0 else run.stderr.strip()
        if ours == expected.get(function):
            identical += 1
        else:
            print(f"  differs: {os.path.basename(folder.rstrip('/'))}/{function}\n    ours {json.dumps(ours)[:300]}\n    baml {json.dumps(expected.get(function))[:300]}",
                  file=sys.stderr)
print(identical, total)
