#!/usr/bin/env bash
# Issue 24's GPU checks in one run, for a machine with an NVIDIA GPU that may lack flash's build
# dependencies and cannot download (the device tool's machines: CUDA, CMake and Python with numpy,
# no GoogleTest or nlohmann-json). Prepare here with scripts/gpu_prepare.sh, which builds the
# CUDA programs and fills gpu-carry/; then run this script there with gpu-carry carried.
#
# Stages (arguments; default all, in this order), each step bounded in time: "tests" records the
# GPU's tests (the kernels against the CPU's scalar reference, the forward pass of every
# architecture against llama.cpp's reference logits and the CPU's greedy continuation), then the
# forward tests again with the opt-in tensor-core GEMM;
# "shape06" writes a random-weights Qwen3-0.6B-shape F16 file and measures pp512, tg128 and 64
# batched streams on it and on its Q4_K_M and Q8_0 quantizations (made there by
# flash_cuda_quantize: such files are too big to carry); "shape4b" does the same for the
# Qwen3.5-4B shape at Q4_K_M and Q8_0; "matvec" measures the matvec's bandwidth per weight type;
# "sanitizer" runs the tests again under compute-sanitizer's memcheck. All of them may pass the
# device tool's 600 s per command: split them over two calls. Logs and JSON go to $OUT (the
# device tool's), else ./gpu-out; what a step wrote comes back even when a later one runs out of
# time.
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

# Stages, run in the order given (default: all of them in this order). With the device tool's
# 600 s per command, a first call may run "tests shape06 shape4b" and a second "matvec sanitizer".
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(tests shape06 shape4b matvec sanitizer)
status=0

wheel=$(ls gpu-carry/wheels/gguf-*.whl 2>/dev/null | head -1)
# A random-weights model of a real shape (make_random_gguf.py: qwen3-0.6b or qwen35-4b) in F16,
# then each of the given types quantized from it there, each through the forward benchmark.
bench_shape() {
  local shape=$1 name=$2 gen_s=$3 quant_s=$4 bench_s=$5
  shift 5
  [ -n "$forward" ] && [ -n "$wheel" ] || { echo "gpu_check: no forward benchmark or gguf wheel" >&2; return; }
  echo "== the $shape shape (random weights): $*" >&2
  python3 -m pip install --quiet --no-deps --target /tmp/flash-pylib "$wheel" >/dev/null 2>&1
  local f16=/tmp/flash-$name-F16.gguf
  PYTHONPATH=/tmp/flash-pylib timeout "$gen_s" python3 gpu-carry/shared/tools/make_random_gguf.py \
    "$shape" "$f16" >>"$out/make_model.log" 2>&1 || { tail -n 5 "$out/make_model.log"; return; }
  for type in "$@"; do
    local file=$f16
    if [ "$type" != F16 ]; then
      [ -n "$quantize" ] || continue
      file=/tmp/flash-$name-$type.gguf
      timeout "$quant_s" "$quantize" "$f16" "$file" "$type" >>"$out/quantize.log" 2>&1 || continue
    fi
    timeout "$bench_s" "$forward" "$file" 128 1024 64 | tee -a "$out/cuda_forward_bench.jsonl"
    [ "$file" != "$f16" ] && rm -f "$file"
  done
  rm -f "$f16"
}

for stage in "${stages[@]}"; do
  case "$stage" in
    tests)
      echo "== CUDA tests" >&2
      timeout 120 "$bin" --gtest_filter="$tests_filter" --gtest_output="json:$out/cuda_tests.json" 2>&1 |
        tee "$out/cuda_tests.log" | grep -E "^\[  (FAILED|PASSED) |gpu parity|Failure|tests ran" | head -80
      status=${PIPESTATUS[0]}
      # The opt-in kernels (MatmulKernel::Tf32x3) through the forward tests: reported, not fatal.
      echo "== CUDA forward tests with the tensor-core GEMM (FLASH_CUDA_MATMUL=tf32x3)" >&2
      forward_filter='*CudaForward*:*CudaGreedy*'
      [ "$tests_filter" != '*' ] && forward_filter="$forward_filter$tests_filter"
      FLASH_CUDA_MATMUL=tf32x3 timeout 90 "$bin" --gtest_brief=1 --gtest_filter="$forward_filter" \
        >"$out/cuda_tests_tf32x3.log" 2>&1
      echo "tf32x3 forward tests: exit $? ($(grep -cE '^\[  FAILED  \]' "$out/cuda_tests_tf32x3.log") failed lines)" >&2
      ;;
    shape06) bench_shape qwen3-0.6b q06 90 60 60 F16 Q4_K_M Q8_0 ;;
    # The quantizer uses every core: a 4B Q4_K_M takes about 4 CPU-minutes.
    shape4b) bench_shape qwen35-4b q4b 150 120 120 Q4_K_M Q8_0 ;;
    matvec)
      if [ -n "$matvec" ]; then
        echo "== matvec bandwidth (the 4B shape's FFN matrices)" >&2
        timeout 40 "$matvec" 50 | tee "$out/cuda_matvec_bench.jsonl"
      fi
      ;;
    sanitizer)
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
      ;;
    *) echo "gpu_check: unknown stage '$stage' (tests, shape06, shape4b, matvec, sanitizer)" >&2; exit 2 ;;
  esac
done
exit "$status"
