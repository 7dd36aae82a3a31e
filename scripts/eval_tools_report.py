#!/usr/bin/env python3
"""Runs `flash eval tools` on both catalog models in three settings — grammar off (auto),
grammar on (auto) and grammar on with a call required — and prints the Markdown table that
docs/EVALUATION.md holds. Per-case JSON goes to --out-dir (docs/results by default).

Usage: scripts/eval_tools_report.py [--flash build/release/bin/flash] [--threads 2] [--limit N]"""
import argparse
import json
import os
import subprocess
import sys

MODELS = [("smollm2-135m-instruct", "SmolLM2-135M-Instruct (Q4_1)", []),
          ("gemma3-270m", "Gemma 3 270M (Q4_K_M)", ["--chat-template", "gemma"])]
SETTINGS = [("off-auto", "grammar off, auto", ["--no-constrain"]),
            ("on-auto", "grammar on, auto", []),
            ("on-required", "grammar on, required", ["--tool-choice", "required"])]


def pct(rate):
    return f"{100 * rate['value']:.1f}% ({rate['hits']}/{rate['total']})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", default="build/release/bin/flash")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--limit", default="0")
    ap.add_argument("--n-predict", default="512",
                    help="tokens per answer (room for a looping value to reach its cap and close)")
    ap.add_argument("--out-dir", default="docs/results")
    ap.add_argument("--skip-existing", action="store_true", help="reuse result files already there")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rows = []
    for model, label, extra in MODELS:
        for key, setting, flags in SETTINGS:
            out = os.path.join(args.out_dir, f"tools-{model}-{key}.json")
            cmd = [args.flash, "eval", "tools", "-m", model, "-t", args.threads, "--limit", args.limit, "-n", args.n_predict,
                   "--out", out] + extra + flags
            print("$", " ".join(cmd), file=sys.stderr)
            if not (args.skip_existing and os.path.exists(out)):
                subprocess.run(cmd, check=True, stdout=sys.stderr)
            with open(out) as f:
                r = json.load(f)
            rows.append((label, setting, r))
    print("| model | setting | well-formed | name acc. | argument acc. | irrelevance acc. | overall |")
    print("|---|---|---|---|---|---|---|")
    for label, setting, r in rows:
        print(f"| {label} | {setting} | {pct(r['well_formed_rate'])} | {pct(r['name_accuracy'])} | "
              f"{pct(r['argument_accuracy'])} | {pct(r['irrelevance_accuracy'])} | {pct(r['overall_accuracy'])} |")
    print()
    print("| model | setting | simple | multiple | parallel | irrelevance |")
    print("|---|---|---|---|---|---|")
    for label, setting, r in rows:
        c = r["by_category"]
        print(f"| {label} | {setting} | {pct(c['simple'])} | {pct(c['multiple'])} | {pct(c['parallel'])} | "
              f"{pct(c['irrelevance'])} |")


if __name__ == "__main__":
    main()
