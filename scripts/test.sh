#!/usr/bin/env bash
# The README's second command: set everything up on a fresh machine and run every test —
# the release build's full suite (reference-data parity, tokenizers, kernels, the real
# SmolLM2 model through the CLI), the same unit suites under ASan + UBSan, a short run of
# every libFuzzer target (clang; only the libraries the targets use are built), the ARM64
# build of the engine with its unit and parity suites under qemu (scripts/test_arm.sh), and the
# CUDA backend's compile (its GPU tests skip without a GPU).
#
# Reference data: $FLASH_TESTDATA, default ../shared/testdata beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASH_TESTDATA="${FLASH_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
if [ ! -d "$FLASH_TESTDATA" ]; then
  echo "test.sh: reference data not found at $FLASH_TESTDATA (set FLASH_TESTDATA)" >&2
  exit 1
fi
jobs="$(nproc 2>/dev/null || echo 2)"
# Each stage's heading says how long the run has taken so far, so CI's log shows where the
# time goes (the whole run should stay under 40 minutes on a clean 2-core machine).
stage() { echo "== $1 (at $((SECONDS / 60)) min $((SECONDS % 60)) s)" >&2; }

scripts/install-deps.sh --with-browser
# The independent judges: jsonschema for structured output and tool calls, jinja2 for chat
# templates (and gguf to read the template inside a model file); the official openai client
# and selenium (driving Chromium) for the server and its web page; Hugging Face datasets to
# load the training set as a trainer would; Hugging Face tokenizers to run the tokenizer.json
# flash convert writes; kubernetes-validate (the Kubernetes schemas, offline) for deploy/cloud.
python3 -m pip install -q --disable-pip-version-check "jsonschema[format-nongpl]" "jinja2>=3.1" gguf \
  "openai==3.57.0" "selenium==4.36.0" "datasets==3.6.0" "tokenizers==0.23.3" \
  "kubernetes-validate==1.37.0" 2>&1 \
  | grep -v "as the 'root' user" || true
# The training stack (train/requirements.txt: PyTorch, transformers, peft; several GB) for the
# conversion-parity and training tests, installed in the background while the C++ builds. Its
# tests skip (exit 77, listed by ctest) when it could not be installed; that is reported below.
train_log="$(mktemp)"
scripts/install_train.sh >"$train_log" 2>&1 &
train_pid=$!
stage "release build"
scripts/build.sh release

# The real models for the end-to-end tests (sha256-pinned; kept in the models directory).
export FLASH_SMOLLM2="$(./build/release/bin/flash pull smollm2-135m-instruct)"
export FLASH_GEMMA3="$(./build/release/bin/flash pull gemma3-270m)"

if wait "$train_pid"; then
  export FLASH_TRAIN_PYTHON="$(tail -n 1 "$train_log")"
else
  echo "test.sh: WARNING: the training stack did not install; Transformers.* and Train.* will" \
       "skip. Its log:" >&2
  tail -n 20 "$train_log" >&2
fi

stage "release tests"
ctest --preset release -j "$jobs"

stage "ASan + UBSan tests"
scripts/build.sh asan
# The sanitizer run covers the unit layers; the real-model tests run in release above, and so
# does the default dataset build checked against the published card (the same code as the
# small builds the sanitizers see, 80 s under ASan), and so do the Python consumers of flash's
# output — PyTorch (their C++ side, flash convert, is in the unit suites here) and Hugging Face
# datasets loading a small build (50 s under ASan; the build itself is tested here).
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --preset asan -j "$jobs" \
  -E "RealModel|GrammarSoundness|TheDefaultBuildReproducesThePublishedManifest|Transformers\.|Train\.|TrainingData\.LoadsWithDatasets"

stage "ARM64 under qemu"
scripts/test_arm.sh

# The CUDA backend compiles wherever the toolkit is (only its library, the kernels it is checked
# against and its test program); its GPU tests skip without a GPU (scripts/gpu_check.sh runs
# them on one).
stage "CUDA backend"
if [ -x /usr/local/cuda/bin/nvcc ]; then
  cmake --preset cuda >/dev/null
  cmake --build --preset cuda -j "$jobs"
  build/cuda/tests/flash_test_cuda --gtest_brief=1
else
  echo "test.sh: no CUDA toolkit at /usr/local/cuda: the CUDA backend is not compiled" >&2
fi

stage "fuzzing (${FLASH_FUZZ_SECONDS:-20} s per target)"
cmake --preset fuzz -DFLASH_FUZZ_SECONDS="${FLASH_FUZZ_SECONDS:-20}" >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --preset fuzz -j "$jobs"
stage "done"
