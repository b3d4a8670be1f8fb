"""Whether BAML itself (PyPI baml-py 0.226.3's baml-cli) accepts each .baml file of a folder, one
project per file: the reference for `Tests/AgentSchemaTests/Fixtures/accepted/` (every file there
must say ok).

With --rejected, the reference for `Tests/AgentSchemaTests/Fixtures/rejected/`: every file there
must be rejected (BAML's errors are printed).

usage: baml_accepts.py [--rejected] FOLDER
"""
import os, shutil, subprocess, sys, tempfile

expect_rejected = "--rejected" in sys.argv
folder = [argument for argument in sys.argv[1:] if argument != "--rejected"][0]
cli = os.path.join(os.path.dirname(sys.executable), "baml-cli")
failed = 0
for name in sorted(f for f in os.listdir(folder) if f.endswith(".baml")):
    with tempfile.TemporaryDirectory() as work:
        os.makedirs(os.path.join(work, "baml_src"))
        shutil.copy(os.path.join(folder, name), os.path.join(work, "baml_src", name))
        result = subprocess.run([cli, "check", "--from", "baml_src"], cwd=work, capture_output=True, text=True)
        ok = result.returncode == 0
        failed += ok if expect_rejected else not ok
        print(f"{name}: {'ok' if ok else 'rejected'}")
        if not ok:
            errors = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("error") or "-->" in line]
            print("\n".join(errors if expect_rejected else (result.stdout + result.stderr).splitlines()), file=sys.stderr)
sys.exit(1 if failed else 0)
