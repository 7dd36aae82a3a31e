#!/usr/bin/env python3
"""`flash data build --teacher` against `flash serve` on the real SmolLM2 (the small build, the
first examples only): every chosen example is sent, each reply is kept or rejected by the
dataset's own checks, the card and the manifest report the same counts, a kept reply is marked
in its row, and the pass rates are printed.

Usage: real_teacher_test.py --flash BIN --model-env FLASH_SMOLLM2 [--limit N]
Exit status 0 when every check passed, 1 otherwise (also when the model is not there)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from server_harness import Checks, Server, parse_test_args  # noqa: E402


def rows(out):
    for split in ("train", "valid", "test"):
        with open(os.path.join(out, split + ".jsonl")) as f:
            for line in f:
                yield json.loads(line)


def main():
    args, model = parse_test_args(__doc__, limit=24)
    if model is None:
        return 1
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "data")
        with Server(args.flash, model, ["--slots", "2", "-t", "2"]) as srv:
            p = subprocess.run([args.flash, "data", "build", "--out", out, "--size", "small",
                                "--teacher", srv.url + "/v1", "--teacher-limit", str(args.limit),
                                "--concurrency", "2"],
                               capture_output=True, text=True, timeout=1500)
        check(p.returncode == 0, f"build failed ({p.returncode}): {p.stderr[-2000:]}")
        if p.returncode != 0:
            return 1
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        teacher = manifest.get("teacher")
        check(teacher is not None, "the manifest has no teacher section")
        sent = sum(teacher["sent"].values())
        kept = sum(teacher["kept"].values())
        rejected = sum(teacher["rejected"].values())
        check(sent == args.limit, f"{sent} replies sent, expected {args.limit}")
        check(kept + rejected == sent, f"kept {kept} + rejected {rejected} != sent {sent}")
        marked = sum(1 for r in rows(out) if "teacher_reply_verified" in r["checks"])
        check(marked == kept, f"{marked} rows marked, {kept} replies kept")
        card = open(os.path.join(out, "README.md")).read()
        check("## Teacher" in card and f"`{teacher['model']}`" in card, "the card has no teacher section")
        for family, n in sorted(teacher["sent"].items()):
            k = teacher["kept"].get(family, 0)
            check(f"| {family} | {n} | {k} |" in card, f"the card's {family} row differs from the manifest")
            print(f"teacher {teacher['model']}: {family}: {k}/{n} kept ({100.0 * k / n:.0f}%)")
        for reason, n in sorted(teacher["rejected"].items()):
            print(f"  rejected: {reason}: {n}")
    print("real_teacher_test:", "FAILED" if check.failures else "passed", f"({len(check.failures)} failures)")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
