#!/usr/bin/env bash
# Issue 24's GPU checks in one run, for a machine with an NVIDIA GPU that may lack flash's build
# dependencies and cannot download (the device tool's machines: CUDA, CMake and Python with numpy,
# no GoogleTest or nlohmann-json). Prepare here with scripts/gpu_prepare.sh, which builds the
# CUDA programs and fills gpu-carry/; then run this script there with gpu-carry carried.
#
# In order of what matters most, each step bounded in time so the whole stays under the device
# tool's 600 s per command (typical runs take far less): record the GPU; run the CUDA tests (the
# kernels against the CPU's scalar reference, the forward pass against llama.cpp's reference
# logits and the CPU's greedy continuation); write a random-weights Qwen3-0.6B-shape F16 file
# and measure pp512, tg128 and 64 batched streams on it, then on its Q4_K_M and Q8_0
# quantizations (made there by flash_cuda_quantize: such files are too big to carry); measure
# the matvec's bandwidth per weight type; run the tests again under compute-sanitizer's
# memcheck. Logs and JSON go to $OUT (the device tool's), else ./gpu-out; what a step wrote
# comes back even when a later one runs out of time.
# Exit status: the tests', or the sanitizer's when the tests passed.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-out}"
mkdir -p "$out"
if [ -d gpu-carry/bin ]; then
  bindir=gpu-carry/bin
  export FLASH_TESTDATA="$PWD/gpu-carry/shared/testdata"
  tests_filter='-*F32*'  # the F32 reference files are not carried (size)
else
  bindir=build/cuda
  tests_filter='*'
fi
find_bin() { [ -x "$bindir/$1" ] && echo "$bindir/$1" || find build/cuda -name "$1" -type f 2>/dev/null | head -1; }
bin=$(find_bin flash_test_cuda)
matvec=$(find_bin flash_bench_cuda_matvec)
forward=$(find_bin flash_bench_cuda_forward)
quantize=$(find_bin flash_cuda_quantize)

nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || echo "gpu_check: nvidia-smi failed (no driver?)" >&2
if [ -z "$bin" ]; then
  echo "gpu_check: no flash_test_cuda; building it here (needs GoogleTest and the engine's libraries)" >&2
  { cmake --preset cuda && cmake --build --preset cuda; } >"$out/build.log" 2>&1 ||
    { tail -n 30 "$out/build.log"; exit 1; }
  bin=build/cuda/tests/flash_test_cuda matvec=build/cuda/bench/cuda/flash_bench_cuda_matvec
  forward=build/cuda/bench/cuda/flash_bench_cuda_forward
  quantize=build/cuda/bench/cuda/flash_cuda_quantize
fi

echo "== CUDA tests" >&2
timeout 120 "$bin" --gtest_filter="$tests_filter" --gtest_output="json:$out/cuda_tests.json" 2>&1 |
  tee "$out/cuda_tests.log" | grep -E "^\[  (FAILED|PASSED) |gpu parity|Failure|tests ran" | head -80
status=${PIPESTATUS[0]}

model=/tmp/flash-q06-F16.gguf
wheel=$(ls gpu-carry/wheels/gguf-*.whl 2>/dev/null | head -1)
if [ -n "$forward" ] && [ -n "$wheel" ]; then
  echo "== the Qwen3-0.6B shape (random weights): F16, Q4_K_M, Q8_0" >&2
  python3 -m pip install --quiet --no-deps --target /tmp/flash-pylib "$wheel" >/dev/null 2>&1
  PYTHONPATH=/tmp/flash-pylib timeout 90 python3 gpu-carry/shared/tools/make_random_gguf.py \
    qwen3-0.6b "$model" >"$out/make_model.log" 2>&1 || tail -n 5 "$out/make_model.log"
  if [ -f "$model" ]; then
    timeout 60 "$forward" "$model" 128 1024 64 | tee -a "$out/cuda_forward_bench.jsonl"
    for type in Q4_K_M Q8_0; do
      [ -n "$quantize" ] || break
      q=/tmp/flash-q06-$type.gguf
      timeout 60 "$quantize" "$model" "$q" "$type" >>"$out/quantize.log" 2>&1 &&
        timeout 60 "$forward" "$q" 128 1024 64 | tee -a "$out/cuda_forward_bench.jsonl"
    done
  fi
fi

if [ -n "$matvec" ]; then
  echo "== matvec bandwidth (the 4B shape's FFN matrices)" >&2
  timeout 40 "$matvec" 50 | tee "$out/cuda_matvec_bench.jsonl"
fi

if command -v compute-sanitizer >/dev/null; then
  echo "== compute-sanitizer (memcheck)" >&2
  timeout 150 compute-sanitizer --tool memcheck --error-exitcode 3 "$bin" --gtest_brief=1 \
    --gtest_filter="$tests_filter" >"$out/sanitizer.log" 2>&1
  sanitizer=$?
  tail -n 5 "$out/sanitizer.log"
  [ "$status" -eq 0 ] && [ "$sanitizer" -ne 0 ] && status=$sanitizer
else
  echo "gpu_check: compute-sanitizer not found; memcheck skipped" >&2
fi
exit "$status"
