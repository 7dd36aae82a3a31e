#!/usr/bin/env bash
# Issue 24's GPU checks in one run, for a machine with an NVIDIA GPU that may lack flash's build
# dependencies (the device tool's machines: CUDA and CMake, no GoogleTest or nlohmann-json).
# So the test program is built here, where the toolchain and libraries are:
#
#   cmake --preset cuda && cmake --build --preset cuda     # build/cuda/tests/flash_test_cuda
#
# and carried there with the benchmark (both link the CUDA runtime statically and need only
# libstdc++ and the driver): carry build/cuda/tests/flash_test_cuda and
# build/cuda/bench/cuda/flash_bench_cuda_matvec. This script then records the GPU, runs the
# CUDA tests (the kernels against the CPU's scalar reference), measures the matvec's bandwidth
# per weight type, and runs the tests again under compute-sanitizer's memcheck. Logs and the tests'
# JSON go to $OUT (the device tool's), else ./gpu-out. Exit status: the tests'.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-out}"
mkdir -p "$out"
bin=build/cuda/tests/flash_test_cuda

nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || echo "gpu_check: nvidia-smi failed (no driver?)" >&2
if [ ! -x "$bin" ]; then
  echo "gpu_check: $bin missing; building it here (needs GoogleTest and the engine's libraries)" >&2
  { cmake --preset cuda && cmake --build --preset cuda; } >"$out/build.log" 2>&1 ||
    { tail -n 30 "$out/build.log"; exit 1; }
fi

echo "== CUDA tests" >&2
"$bin" --gtest_output="json:$out/cuda_tests.json" 2>&1 | tee "$out/cuda_tests.log"
status=${PIPESTATUS[0]}

bench=build/cuda/bench/cuda/flash_bench_cuda_matvec
if [ -x "$bench" ]; then
  echo "== matvec bandwidth (the 4B shape's FFN matrices)" >&2
  "$bench" 50 | tee "$out/cuda_matvec_bench.jsonl"
fi

if command -v compute-sanitizer >/dev/null; then
  echo "== compute-sanitizer (memcheck)" >&2
  compute-sanitizer --tool memcheck --error-exitcode 3 "$bin" --gtest_brief=1 \
    >"$out/sanitizer.log" 2>&1
  sanitizer=$?
  tail -n 5 "$out/sanitizer.log"
  [ "$sanitizer" -ne 0 ] && status=$sanitizer
else
  echo "gpu_check: compute-sanitizer not found; memcheck skipped" >&2
fi
exit "$status"
