#!/usr/bin/env python3
"""`flash eval all --endpoint` against `flash serve` on the real SmolLM2: the same cases run
in process and through the server. Tool calls go through the same grammar on both sides, so
their outcomes must agree case for case; grounded and instruction-following samples must be
the same ids, each scored. An unreachable endpoint and an https URL are clear errors.

Usage: endpoint_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 otherwise (also when the model is not there)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from server_harness import Checks, Server, parse_test_args  # noqa: E402

LIMIT = "4"


def run(cmd, expect_ok=True):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    if expect_ok and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return p


def main():
    args, model = parse_test_args()
    if model is None:
        return 1
    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        here = os.path.join(tmp, "in_process.json")
        there = os.path.join(tmp, "endpoint.json")
        run([args.flash, "eval", "all", "-m", model, "-t", "2", "--limit", LIMIT, "--out", here])
        with Server(args.flash, model, ["--slots", "1", "-t", "2"]) as srv:
            p = run([args.flash, "eval", "all", "--endpoint", srv.url + "/v1", "--limit", LIMIT,
                     "--out", there])
            check("endpoint" in p.stdout, f"the summary does not name the endpoint: {p.stdout!r}")
        a = json.load(open(here))
        b = json.load(open(there))
        check(a["endpoint"] is False and b["endpoint"] is True, "endpoint flags wrong")
        for suite in ("tools", "grounded", "instruct"):
            sa, sb = a["suites"][suite], b["suites"][suite]
            ids_a = [x["id"] for x in sa["samples"]]
            ids_b = [x["id"] for x in sb["samples"]]
            check(len(ids_a) == int(LIMIT), f"{suite}: {len(ids_a)} samples in process")
            check(ids_a == ids_b, f"{suite}: different samples {ids_a} vs {ids_b}")
            for s in (sa, sb):
                check(s["n"] == len(s["samples"]) and
                      s["hits"] == sum(x["right"] for x in s["samples"]),
                      f"{suite}: hits/n do not add up")
                lo, hi = s["ci95"]
                check(0 <= lo <= s["accuracy"] <= hi <= 1, f"{suite}: interval {s['ci95']}")
        ta, tb = a["suites"]["tools"]["samples"], b["suites"]["tools"]["samples"]
        for x, y in zip(ta, tb):
            check(x["right"] == y["right"] and x["detail"]["calls"] == y["detail"]["calls"],
                  f"tools {x['id']}: in process {x['detail']} but endpoint {y['detail']}")
        check(any(x["detail"]["calls"] for x in tb), "the endpoint made no tool call at all")

        bad = run([args.flash, "eval", "all", "--endpoint", "http://127.0.0.1:9", "--limit", "1"],
                  expect_ok=False)
        check(bad.returncode != 0 and "cannot connect" in bad.stderr,
              f"unreachable endpoint: {bad.returncode} {bad.stderr!r}")
        bad = run([args.flash, "eval", "tools", "--endpoint", "https://example.invalid", "--limit", "1"],
                  expect_ok=False)
        check(bad.returncode != 0 and "http://" in bad.stderr, f"https endpoint: {bad.stderr!r}")

    print("endpoint_test:", "FAILED" if check.failures else "passed", f"({len(check.failures)} failures)")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
