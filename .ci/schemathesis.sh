#!/usr/bin/env bash
# Checks the running API against its own OpenAPI document with schemathesis (every check, bounded
# examples, a fixed seed): every status documented, bodies and parameters that the document calls
# invalid refused with 4xx, no 5xx. Uses the catalynx binary `swift build` made.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=/tmp/catalynx-schemathesis
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'schemathesis==4.32.5'
fi

home=$(mktemp -d)
export CATALYNX_HOME="$home"
binary=.build/debug/catalynx
key=$("$binary" keys create --name schemathesis --scope write 2>/dev/null)
port=18765
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"$binary" serve --port "$port" --log-format text >"$home/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done

schema="http://127.0.0.1:$port/openapi.json"
common=(--checks all -H "Authorization: Bearer $key" --max-examples 25 --seed 1 --workers 2)
# schemathesis 4.32's coverage phase fails inside itself on the webhook route (a KeyError in its
# constraint walker): that route is checked with the other phases.
"$venv/bin/schemathesis" run "$schema" "${common[@]}" --exclude-path '/api/v1/hooks/{name}'
"$venv/bin/schemathesis" run "$schema" "${common[@]}" --include-path '/api/v1/hooks/{name}' --phases examples,fuzzing,stateful
echo "schemathesis: the API matches its OpenAPI document"
