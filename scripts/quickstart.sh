#!/usr/bin/env bash
# The README's first command: set everything up on a fresh machine and run the main job —
# SmolLM2-135M-Instruct answering a real question. Usage: scripts/quickstart.sh ["question"]
set -euo pipefail
cd "$(dirname "$0")/.."
question="${1:-What is the capital of France?}"
scripts/install-deps.sh
scripts/build.sh release
./build/release/bin/flash pull smollm2-135m-instruct >/dev/null
echo "Q: $question" >&2
./build/release/bin/flash run -m smollm2-135m-instruct -p "$question" -n 96 --temp 0
