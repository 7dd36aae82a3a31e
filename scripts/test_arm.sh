#!/usr/bin/env bash
# The ARM64 build of the engine (core, kernels, tokenizer, model, runtime) and its unit and
# parity suites, cross-compiled with Debian's aarch64 toolchain and run under qemu-aarch64:
# once on a CPU with dotprod and i8mm (-cpu max: the NEON, sdot and usmmla kernels, and the
# kernel tests at each lower level too), once on a Cortex-A53 (NEON without dotprod: the
# widening fallbacks). Emulated, so correctness only.
# Installs what it needs (arm64 multiarch -dev packages). Called by scripts/test.sh.
#
# Reference data: $FLASH_TESTDATA, default ../shared/testdata beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASH_TESTDATA="${FLASH_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
jobs="$(nproc 2>/dev/null || echo 2)"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
arm_packages=(g++-aarch64-linux-gnu qemu-user libpcre2-dev:arm64 libssl-dev:arm64
              libgtest-dev:arm64 libstdc++6:arm64)
missing=()
for p in "${arm_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test_arm.sh: installing ${missing[*]}" >&2
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    sudo_if_needed dpkg --add-architecture arm64
  fi
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

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
