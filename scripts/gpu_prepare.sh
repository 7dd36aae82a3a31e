#!/usr/bin/env bash
# Fills gpu-carry/ (git-ignored) with what scripts/gpu_check.sh needs on a GPU machine that has
# CUDA but not flash's build dependencies and cannot download anything: the CUDA test and
# benchmark programs (built here with the `cuda` preset; they link the CUDA runtime statically),
# the reference models of the architectures the GPU runs (F32 files left out: the device tool
# carries 64 MiB in all), the generator of random-weight models of real shapes with the vocab
# it copies, and a wheel of the `gguf` package the generator imports. Then, with the device tool,
# carry ["gpu-carry"], two calls back to back (the machine stays warm between them):
#   bash scripts/gpu_check.sh tests shape06 shape4b      then      bash scripts/gpu_check.sh matvec sanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${FLASH_SHARED:-../shared}"
cmake --preset cuda >/dev/null
cmake --build --preset cuda
rm -rf gpu-carry
mkdir -p gpu-carry/bin gpu-carry/wheels gpu-carry/shared/tools gpu-carry/shared/testdata/models \
  gpu-carry/shared/testdata/tokenizer
cp build/cuda/tests/flash_test_cuda build/cuda/bench/cuda/flash_bench_cuda_matvec \
  build/cuda/bench/cuda/flash_bench_cuda_forward build/cuda/bench/cuda/flash_cuda_quantize \
  gpu-carry/bin/
for arch in llama qwen2 qwen3 gemma3 qwen35; do
  for f in "$shared"/testdata/models/"$arch"-*; do
    case "$f" in *-F32.*) continue ;; esac
    cp "$f" gpu-carry/shared/testdata/models/
  done
done
cp "$shared"/testdata/models/tokens.txt gpu-carry/shared/testdata/models/
cp "$shared"/testdata/tokenizer/ggml-vocab-qwen2.gguf \
  "$shared"/testdata/tokenizer/ggml-vocab-qwen35.gguf gpu-carry/shared/testdata/tokenizer/
cp "$shared"/tools/make_random_gguf.py gpu-carry/shared/tools/
python3 -m pip download --quiet --no-deps -d gpu-carry/wheels gguf
du -sh gpu-carry
