#!/usr/bin/env python3
"""Instructions per kernel call on ARM64, NEON against scalar, counted under qemu-aarch64.

Speed on ARM cannot be measured on this project's x86 machines, but executed instructions can:
qemu logs every translated block (-d in_asm: its instructions) and every block it executes
(-d exec with nochain, so each execution is logged). The program bench/insn/kernel_calls.cpp
calls one kernel C times; running it with 1 and 1 + C calls and dividing the difference by C
leaves the kernel's own count per call (start-up and set-up cancel). Instruction counts are not
time (a NEON multiply-add does four lanes, loads can miss), but they catch regressions and show
how much work each path removes.

Usage: bench/arm_insn_count.py [--binary build/arm64/bench/insn/flash_kernel_calls] [--calls 4]
       [--n 4096] [--markdown]
Needs the arm64 build (scripts/test_arm.sh, or cmake --preset arm64 && cmake --build --preset
arm64) and qemu-user. Runs with -cpu max (dotprod present); each row is one kernel and type."""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (kernel, type): what runs per generated token (dot: decode's fast path; exact: the default
# precision; quantize: the activations once per matmul; dequantize: exact decode and the GEMM).
CASES = [
    ("dot", "Q4_0"), ("dot", "Q4_1"), ("dot", "Q5_0"), ("dot", "Q8_0"), ("dot", "Q2_K"),
    ("dot", "Q3_K"), ("dot", "Q4_K"), ("dot", "Q5_K"), ("dot", "Q6_K"), ("dot", "F16"),
    ("dot", "BF16"),
    ("exact", "Q4_0"), ("exact", "Q5_0"), ("exact", "Q8_0"), ("exact", "Q2_K"), ("exact", "Q3_K"),
    ("exact", "Q4_K"), ("exact", "Q5_K"), ("exact", "Q6_K"),
    ("quantize", "Q8_0"), ("quantize", "Q4_K"),
    ("dequantize", "Q4_0"), ("dequantize", "Q5_0"), ("dequantize", "Q4_K"), ("dequantize", "Q5_K"),
    ("dequantize", "Q6_K"), ("dequantize", "F16"),
    ("rmsnorm", "F32"), ("dot_f32", "F32"),
]
ISAS = ["scalar", "neon", "neon-dotprod"]
BLOCK_PC = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
INSN = re.compile(r"^0x([0-9a-f]+):\s")


def executed_instructions(binary, args, cpu="max"):
    """Instructions qemu executed for one run (every block execution times its length)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "qemu.log")
        env = dict(os.environ, QEMU_CPU=cpu)
        subprocess.run(["qemu-aarch64", "-d", "in_asm,exec,nochain", "-D", log, binary, *args],
                       check=True, env=env, stdout=subprocess.DEVNULL, timeout=600)
        block_len, counts = {}, collections.Counter()
        current, length = None, 0
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("IN:"):
                    current, length = None, 0
                    continue
                m = INSN.match(line)
                if m:
                    if current is None:
                        current = int(m.group(1), 16)
                    length += 1
                    continue
                if current is not None and not line.strip():
                    block_len[current] = length  # a retranslation replaces the old length
                    current, length = None, 0
                    continue
                m = BLOCK_PC.match(line)
                if m:
                    counts[int(m.group(1), 16)] += 1
        if current is not None:
            block_len[current] = length
        missing = [pc for pc in counts if pc not in block_len]
        if missing:
            raise RuntimeError(f"{len(missing)} executed blocks were never listed by in_asm")
        return sum(block_len[pc] * k for pc, k in counts.items())


def per_call(binary, kernel, dtype, n, isa, calls):
    one = executed_instructions(binary, [kernel, dtype, str(n), "1", isa])
    many = executed_instructions(binary, [kernel, dtype, str(n), str(1 + calls), isa])
    return (many - one) / calls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/arm64/bench/insn/flash_kernel_calls"))
    ap.add_argument("--calls", type=int, default=2)
    ap.add_argument("--n", type=int, default=4096, help="row length (elements)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not os.path.isfile(args.binary):
        print(f"{args.binary} not found: build the arm64 preset first", file=sys.stderr)
        return 1
    rows = []
    for kernel, dtype in CASES:
        counts = {isa: per_call(args.binary, kernel, dtype, args.n, isa, args.calls) for isa in ISAS}
        rows.append((kernel, dtype, counts))
        print(f"{kernel:10} {dtype:5} " + "  ".join(f"{isa} {counts[isa]:>10.0f}" for isa in ISAS),
              file=sys.stderr, flush=True)
    if args.markdown:
        print(f"| kernel | type | scalar | NEON | NEON + dotprod | scalar ÷ best |")
        print("|---|---|---:|---:|---:|---:|")
        for kernel, dtype, c in rows:
            best = min(c.values())
            print(f"| {kernel} | {dtype} | {c['scalar']:,.0f} | {c['neon']:,.0f} | "
                  f"{c['neon-dotprod']:,.0f} | {c['scalar'] / best:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
