#!/usr/bin/env bash
# Runs one libFuzzer target for longer than the test suite does.
#   scripts/fuzz.sh TARGET [SECONDS]     e.g. scripts/fuzz.sh json_schema 600
# Targets: gguf json_schema gbnf regex jinja server_request tokenizer (fuzz/*_fuzz.cpp).
# Builds the fuzz preset first (clang, ASan + UBSan). New inputs collect in
# build/fuzz/fuzz/work/TARGET/corpus across runs; a crash leaves its reproducer in .../artifacts
# — fix it, then copy the file into fuzz/corpus/TARGET so the suite replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-}"
seconds="${2:-600}"
if [ -z "$target" ] || [ ! -f "fuzz/${target}_fuzz.cpp" ]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS]; targets: $(ls fuzz/*_fuzz.cpp | sed 's|fuzz/||; s|_fuzz.cpp||' | tr '\n' ' ')" >&2
  exit 2
fi
cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target "fuzz_$target" -j "$(nproc 2>/dev/null || echo 2)"
testdata="${FLASH_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
extra=()
case "$target" in
  gguf) extra=("$testdata/tokenizer") ;;
  jinja) extra=("$testdata/templates") ;;
esac
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  fuzz/run_fuzz.sh "build/fuzz/fuzz/fuzz_$target" "build/fuzz/fuzz/work/$target" "$seconds" \
  "fuzz/corpus/$target" "${extra[@]}"
