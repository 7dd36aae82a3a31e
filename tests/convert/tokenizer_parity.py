#!/usr/bin/env python3
"""The tokenizer.json that `flash convert --to-hf` writes, run by Hugging Face's own
`tokenizers` library: for every byte-level BPE vocabulary of the testdata (gpt-2, llama-bpe,
qwen2, qwen35) and every SentencePiece one (llama-spm, phi-3), each of the shared tokenizer
texts must encode to llama.cpp's ids with special-token text parsed as special tokens
(NAME.special.jsonl, no BOS added) and left as text (NAME.raw.jsonl: `encode_special_tokens`,
transformers' split_special_tokens), and those ids must decode back to the text.
(tokenizer.json -> GGUF is checked in tests/convert/convert_test.cpp.)

Usage: tokenizer_parity.py --flash BIN [--testdata DIR]
Needs the `tokenizers` package (scripts/test.sh installs it). Exit 0 when every text matches."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

VOCABS = ("gpt-2", "llama-bpe", "qwen2", "qwen35", "llama-spm", "phi-3")


def read_cases(testdata, name, kind):
    """NAME.KIND.jsonl, each text expecting llama.cpp's ids."""
    with open(os.path.join(testdata, "tokenizer", f"{name}.{kind}.jsonl")) as f:
        cases = [json.loads(line) for line in f]
    return [dict(case, expected=case["ids"]) for case in cases]


def check(name, what, cases, run):
    """Prints how many cases `run` gets right; returns the number it gets wrong."""
    wrong = [(case, run(case)) for case in cases]
    wrong = [(case, got) for case, got in wrong if got != case["expected"]]
    print(f"{name}: {len(cases) - len(wrong)}/{len(cases)} texts {what}")
    for case, got in wrong[:5]:
        print(f"  {case['text']!r}: tokenizers {got!r:.80} expected {case['expected']!r:.80}")
    return len(wrong)


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
            special = read_cases(args.testdata, name, "special")
            raw = read_cases(args.testdata, name, "raw")

            def encode(case):
                return tok.encode(case["text"], add_special_tokens=False).ids

            tok.encode_special_tokens = False
            failures += check(name, "encode to llama.cpp's ids", special, encode)
            tok.encode_special_tokens = True
            failures += check(name, "encode to llama.cpp's ids, special-token text as text",
                              raw, encode)
            failures += check(
                name, "decode back", [dict(c, expected=c["text"]) for c in special],
                lambda case: tok.decode(case["ids"], skip_special_tokens=False))
    print("tokenizer_parity:", "FAILED" if failures else "passed", f"({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
