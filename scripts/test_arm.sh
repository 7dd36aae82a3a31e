#!/usr/bin/env bash
# The ARM64 build of the engine (core, kernels, tokenizer, model, runtime) and its unit and
# parity suites, cross-compiled with Debian's aarch64 toolchain and run under qemu-aarch64:
# once on a CPU with dotprod and i8mm (-cpu max: the NEON, sdot and usmmla kernels, and the
# kernel tests at each lower level too), once on a Cortex-A53 (NEON without dotprod: the
# widening fallbacks). Emulated, so correctness only.
# Installs what it needs (scripts/install-deps.sh --with-arm64). Called by scripts/test.sh.
#
# Reference data: $FLASH_TESTDATA, default ../shared/testdata beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASH_TESTDATA="${FLASH_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
jobs="$(nproc 2>/dev/null || echo 2)"

scripts/install-deps.sh --with-arm64

cmake --preset arm64 >/dev/null
cmake --build --preset arm64 -j "$jobs"

# One process per test program (not ctest's one per test: qemu's start-up per process would
# triple the time). qemu-user ignores the guest's setrlimit(RLIMIT_AS), which that one test
# needs in order to make thread creation fail.
skip="-ThreadPool.RefusedThreadsAreAnErrorNotAnAbort"
run() {  # run CPU PROGRAM...
  local cpu="$1" failed=0 pids=() names=()
  shift
  for t in "$@"; do
    QEMU_CPU="$cpu" qemu-aarch64 "build/arm64/tests/flash_test_$t" --gtest_brief=1 \
      --gtest_filter="$skip" >"build/arm64/$t-$cpu.log" 2>&1 &
    pids+=("$!")
    names+=("$t")
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      echo "arm64 ($cpu) ${names[$i]}: $(grep -E '^\[  PASSED  \]' "build/arm64/${names[$i]}-$cpu.log")" >&2
    else
      echo "arm64 ($cpu) ${names[$i]}: FAILED" >&2
      tail -n 40 "build/arm64/${names[$i]}-$cpu.log" >&2
      failed=1
    fi
  done
  return "$failed"
}
status=0
run max model kernels tokenizer core runtime || status=1
# Without dotprod: the kernels, each NEON path against its scalar twin (the parity suites
# through those paths would add a minute of emulation for little more).
run cortex-a53 kernels || status=1
exit "$status"
