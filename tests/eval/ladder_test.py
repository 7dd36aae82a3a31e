#!/usr/bin/env python3
"""`flash eval ladder` end to end on the real SmolLM2 (one sample per suite): the baseline is
added and dequantized to F16, every level's file has the size and sha256 the report gives,
more bits mean less KL divergence, the reports and per-sample JSONL are complete, a second
run resumes without measuring anything again, and a level whose record is removed is the
only one measured again.

Usage: ladder_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 otherwise (also when the model is not there)."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from server_harness import Checks, parse_test_args  # noqa: E402


def main():
    args, model = parse_test_args()
    if model is None:
        return 1
    check = Checks()

    with tempfile.TemporaryDirectory() as out:
        cmd = [args.flash, "eval", "ladder", model, "--levels", "Q8_0,Q4_0", "--limit", "1",
               "-t", "2", "--fidelity-tokens", "256", "--out", out]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
        if p.returncode != 0:
            print(p.stderr[-4000:])
            return 1
        check("adding the baseline level F16" in p.stderr, "the baseline was not added")
        r = json.load(open(os.path.join(out, "ladder.json")))
        levels = {l["level"]: l for l in r["levels"]}
        check(list(levels) == ["F16", "Q8_0", "Q4_0"], f"levels {list(levels)}")
        check(r["baseline_level"] == "F16" and "dequantized" in r["baseline_note"],
              "the dequantized baseline is not stated")
        for name, l in levels.items():
            path = os.path.join(out, l["file"])
            data = open(path, "rb").read()
            check(len(data) == l["bytes"], f"{name}: size {len(data)} vs {l['bytes']}")
            check(hashlib.sha256(data).hexdigest() == l["sha256"], f"{name}: sha256 differs")
            for suite in ("tools", "grounded", "instruct"):
                s = l["suites"][suite]
                check(s["n"] == 1 and "samples" not in s, f"{name} {suite}: {s}")
            check(l["peak_resident_bytes"] > l["bytes"] // 4, f"{name}: peak memory {l['peak_resident_bytes']}")
            check(l["throughput"]["decode_tokens_per_s"] > 0, f"{name}: no throughput")
        check(levels["F16"]["fidelity"]["kl_mean"] == 0, "the baseline diverges from itself")
        check(0 < levels["Q8_0"]["fidelity"]["kl_mean"] < levels["Q4_0"]["fidelity"]["kl_mean"],
              "KL is not ordered by bits")
        check(levels["Q8_0"]["bits_per_weight"] > levels["Q4_0"]["bits_per_weight"], "bits per weight")
        check(levels["Q4_0"]["vs_baseline"]["tools"]["n"] == 1, "no paired comparison")
        lines = [json.loads(x) for x in open(os.path.join(out, "samples.jsonl"))]
        check(len(lines) == 9 and {x["level"] for x in lines} == set(levels), f"{len(lines)} samples")
        md = open(os.path.join(out, "ladder.md")).read()
        html = open(os.path.join(out, "ladder.html")).read()
        for name in levels:
            check(f"| {name} |" in md, f"{name} missing from ladder.md")
        check(html.count("<svg") == 4, f"{html.count('<svg')} charts")

        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        check(p.returncode == 0 and p.stderr.count("done earlier") == 3 and time.monotonic() - t0 < 30,
              f"resume measured again: {p.stderr[-1500:]}")
        os.remove(os.path.join(out, "levels", "Q4_0.json"))
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        check(p.returncode == 0 and p.stderr.count("done earlier") == 2, f"partial resume: {p.stderr[-1500:]}")
        again = json.load(open(os.path.join(out, "ladder.json")))
        check(again["levels"][2]["sha256"] == r["levels"][2]["sha256"], "re-quantized Q4_0 differs")

        bad = subprocess.run([args.flash, "eval", "ladder", model, "--levels", "Q9_9", "--out", out],
                             capture_output=True, text=True, timeout=60)
        check(bad.returncode != 0 and "Q4_K_M" in bad.stderr, f"unknown level: {bad.stderr!r}")

    print("ladder_test:", "FAILED" if check.failures else "passed", f"({len(check.failures)} failures)")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
