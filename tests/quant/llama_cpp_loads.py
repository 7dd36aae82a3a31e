#!/usr/bin/env python3
"""Files `flash quantize` writes load and run in llama.cpp (through llama-cpp-python), and
both engines meet the reference data's parity bar on them.

For every type of the testdata's llama model: flash quantizes llama-F32.gguf; llama.cpp loads
the file and evaluates tokens.txt, and so does `flash logits`. Each engine's logits must meet
the bar of ../shared/testdata/README.md against the exact-math reference of that type
(NMSE <= max(1e-5, 2 x NMSE(native, exact)), top-1 agreement >= 0.9). With FLASH_SMOLLM2 set,
the real model is also dequantized to F16 and quantized to Q4_K_M by flash, and llama.cpp's
greedy next tokens on a prompt must equal flash's.

Optional: llama-cpp-python takes about 15 minutes to build, so CI does not install it; without
it this exits 77 (skipped). Usage: llama_cpp_loads.py --flash BIN [--testdata DIR]"""
import argparse
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import llama_cpp
except ImportError as e:  # optional dependency
    print(f"skipped: {e} (pip install llama-cpp-python numpy)")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from logits_file import nmse, read_logits  # noqa: E402

TYPES = ["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_1", "Q5_0", "Q4_K_M", "Q4_1", "Q4_0",
         "Q3_K_M", "Q2_K"]


def top1(a, b):
    return float((a.argmax(1) == b.argmax(1)).mean())


def llama_cpp_logits(path, ids):
    llm = llama_cpp.Llama(model_path=path, n_ctx=max(64, len(ids)), n_batch=len(ids),
                          logits_all=True, verbose=False, n_threads=2)
    llm.eval(ids)
    out = np.array(llm.scores[:len(ids)], dtype=np.float32)
    del llm
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    ap.add_argument("--testdata", default=os.environ.get(
        "FLASH_TESTDATA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "testdata")))
    args = ap.parse_args()
    models = os.path.join(args.testdata, "models")
    if not os.path.isdir(models):
        print(f"reference data not found at {args.testdata} (set FLASH_TESTDATA)")
        return 1
    ids = [int(x) for x in open(os.path.join(models, "tokens.txt")).read().split(",")]
    failures = []
    print(f"llama-cpp-python {llama_cpp.__version__}")
    print(f"{'type':8} {'engine':9} {'NMSE vs exact':>14} {'bar':>10} {'top-1':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for t in TYPES:
            path = os.path.join(tmp, f"llama-{t}.gguf")
            subprocess.run([args.flash, "quantize", "-q", os.path.join(models, "llama-F32.gguf"), path, t],
                           check=True, capture_output=True)
            exact = read_logits(os.path.join(models, f"llama-{t}.exact.logits.bin"))
            native = read_logits(os.path.join(models, f"llama-{t}.logits.bin"))
            bar = max(1e-5, 2 * nmse(native, exact))
            out = os.path.join(tmp, "flash.bin")
            subprocess.run([args.flash, "logits", "-m", path, "--tokens", ",".join(map(str, ids)),
                            "-o", out], check=True, capture_output=True)
            for engine, got in (("flash", read_logits(out)), ("llama.cpp", llama_cpp_logits(path, ids))):
                e, a = nmse(got, exact), top1(got, exact)
                ok = e <= bar and a >= 0.9
                print(f"{t:8} {engine:9} {e:14.3e} {bar:10.2e} {a:6.3f} {'ok' if ok else 'FAIL'}")
                if not ok:
                    failures.append(f"{t} {engine}")

        real = os.environ.get("FLASH_SMOLLM2")
        if real and os.path.exists(real):
            f16 = os.path.join(tmp, "smollm2-F16.gguf")
            q4 = os.path.join(tmp, "smollm2-Q4_K_M.gguf")
            subprocess.run([args.flash, "quantize", "-q", "--allow-requant", real, f16, "F16"], check=True)
            subprocess.run([args.flash, "quantize", "-q", f16, q4, "Q4_K_M"], check=True)
            llm = llama_cpp.Llama(model_path=q4, n_ctx=128, verbose=False, n_threads=2)
            prompt = llm.tokenize(b"The capital of France is Paris. It is known for the Eiffel Tower, the "
                                  b"Louvre museum and its cafes. Every year millions of visitors come "
                                  b"to see the city, walk along the river and", add_bos=False)
            del llm
            out = os.path.join(tmp, "real.bin")
            # llama.cpp rounds activations to 8 bits against quantized weights and flash keeps
            # them in f32 ("exact"), so a real model's logits sit further apart at Q4_K_M than
            # at F16; the top token must still agree.
            for path, name, bound in ((f16, "F16", 1e-4), (q4, "Q4_K_M", 1e-2)):
                theirs = llama_cpp_logits(path, prompt)
                subprocess.run([args.flash, "logits", "-m", path, "--tokens", ",".join(map(str, prompt)),
                                "-o", out], check=True, capture_output=True)
                ours = read_logits(out)
                e, a = nmse(ours, theirs), top1(ours, theirs)
                print(f"SmolLM2 {name} (flash-made): flash vs llama.cpp NMSE {e:.3e} (bound {bound:g}), "
                      f"top-1 agreement {a:.3f}")
                if a < 0.9 or e > bound:
                    failures.append(f"SmolLM2 {name}")
    print("llama_cpp_loads:", "FAILED " + ", ".join(failures) if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
