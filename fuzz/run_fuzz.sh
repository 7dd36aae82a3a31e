#!/usr/bin/env bash
# Runs one fuzz target: run_fuzz.sh BINARY WORK_DIR SECONDS SEED_DIR [SEED_DIR...]
# New inputs go to WORK_DIR/corpus (seed directories are read, never written; missing ones are
# skipped). A crash, leak, sanitizer report, timeout or out-of-memory leaves its input in
# WORK_DIR/artifacts and fails the run: add it to fuzz/corpus/NAME as a regression input.
set -euo pipefail
binary="$1" work="$2" seconds="$3"
shift 3
seeds=()
for d in "$@"; do [ -d "$d" ] && seeds+=("$d"); done
mkdir -p "$work/corpus" "$work/artifacts"
name="$(basename "$binary")"
# -timeout: one input may take at most 10 s; -rss_limit_mb: memory; -max_len: 64 KiB inputs
# (larger seeds are read truncated, which still reaches their headers and metadata).
if ! "$binary" "$work/corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" >"$work/log.txt" 2>&1; then
  tail -80 "$work/log.txt" >&2
  echo "run_fuzz: $name failed; reproducer(s) in $work/artifacts: $(ls "$work/artifacts")" >&2
  exit 1
fi
# One summary line: executions, coverage, corpus size.
runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log.txt" | grep -o '[0-9]*$')"
cov="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$work/log.txt" | tail -1 | grep -o 'cov: [0-9]*' || true)"
ft="$(grep -E '^#[0-9]+' "$work/log.txt" | tail -1 | grep -o 'ft: [0-9]*' || true)"
echo "$name: ${seconds}s, ${runs:-?} executions, ${cov:-cov: ?}, ${ft:-ft: ?}, corpus $(ls "$work/corpus" | wc -l) new inputs, 0 crashes"
