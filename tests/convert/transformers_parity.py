#!/usr/bin/env python3
"""transformers on the checkpoints `flash convert --to-hf` writes: for each testdata
architecture it converts, the logits of the 32 reference tokens must meet the parity bar
against llama.cpp's exact logits (testdata/models/ARCH-TYPE.exact.logits.bin, or the F32
file's), the same bar flash's engine meets: NMSE <= max(1e-5, 2 x NMSE(llama.cpp native, exact))
and top-1 agreement >= 0.9.

Usage: transformers_parity.py --flash BIN [--testdata DIR] [--types F32,F16,Q8_0]
Needs torch and transformers (scripts/install_train.sh; found in ~/.cache/flash/train-venv or
$FLASH_TRAIN_PYTHON). Exit 0 when every model passes, 77 (skipped) without torch."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM
except ImportError:  # run again under the training environment, or skip (exit 77)
    venv = os.environ.get("FLASH_TRAIN_PYTHON",
                          os.path.expanduser("~/.cache/flash/train-venv/bin/python"))
    # A venv's python is often a link to the system one: compare environments, not binaries.
    venv_prefix = os.path.dirname(os.path.dirname(os.path.abspath(venv)))
    if os.path.exists(venv) and os.path.abspath(sys.prefix) != venv_prefix:
        os.execv(venv, [venv] + sys.argv)
    print("skipped: torch and transformers are not installed (scripts/install_train.sh)")
    sys.exit(77)


def read_logits(path):
    with open(path, "rb") as f:
        n_tokens, n_vocab = struct.unpack("<ii", f.read(8))
        return np.frombuffer(f.read(), dtype=np.float32).reshape(n_tokens, n_vocab)


def nmse(a, b):
    return float(((a - b) ** 2).sum() / (b ** 2).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flash", required=True)
    ap.add_argument("--testdata", default=os.environ.get("FLASH_TESTDATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "testdata")))
    ap.add_argument("--types", default="F32,F16,Q8_0")
    args = ap.parse_args()
    models = os.path.join(args.testdata, "models")
    tokens = [int(t) for t in open(os.path.join(models, "tokens.txt")).read().strip().split(",")]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for arch in ("llama", "qwen2", "qwen3", "gemma3"):
            for typ in args.types.split(","):
                gguf = os.path.join(models, f"{arch}-{typ}.gguf")
                if not os.path.exists(gguf):
                    continue
                out = os.path.join(tmp, f"{arch}-{typ}")
                subprocess.run([args.flash, "convert", gguf, out, "--to-hf", "-q"], check=True,
                               capture_output=True)
                model = AutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32)
                model.eval()
                with torch.no_grad():
                    ours = model(torch.tensor([tokens])).logits[0].float().numpy()
                exact_path = os.path.join(models, f"{arch}-{typ}.exact.logits.bin")
                if not os.path.exists(exact_path):
                    exact_path = os.path.join(models, f"{arch}-{typ}.logits.bin")
                exact = read_logits(exact_path)
                native = read_logits(os.path.join(models, f"{arch}-{typ}.logits.bin"))
                bar = max(1e-5, 2 * nmse(native, exact))
                err = nmse(ours, exact)
                top1 = float((ours.argmax(-1) == exact.argmax(-1)).mean())
                ok = err <= bar and top1 >= 0.9
                failures += not ok
                print(f"{arch}-{typ}: transformers vs llama.cpp exact NMSE {err:.2e} (bar {bar:.2e}), "
                      f"top-1 {top1:.3f} {'ok' if ok else 'FAILED'}")
    print("transformers_parity:", "FAILED" if failures else "passed", f"({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
