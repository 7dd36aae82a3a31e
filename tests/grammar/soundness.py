#!/usr/bin/env python3
"""Soundness of JSON Schema enforcement, judged by an independent validator.

Generates hundreds of random schemas (seeded), asks `flash grammar sample` for random outputs
under the token masks of a real vocabulary (random choices, not a model), and validates every
output with Python's `jsonschema` (Draft 2020-12, formats checked). A single invalid output, or
a walk that reaches a dead end (no token allowed before the output is complete), fails the test.
Prints 'N passed, N failed' (schemas) on its last line.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import jsonschema
from jsonschema import Draft202012Validator

PATTERNS = [r"^[a-z]{2,6}$", r"^[A-Z][a-z]+( [A-Z][a-z]+)?$", r"^\d{3}-\d{4}$", r"^(red|green|blue)$",
            r"^[a-f0-9]{8}$", r"^v\d+\.\d+(\.\d+)?$"]
FORMATS = ["date", "time", "date-time", "email", "uuid", "uri"]
WORDS = ["id", "name", "city", "count", "tags", "price", "when", "kind", "note", "items", "ok", "owner"]


def scalar(rng):
    kind = rng.choice(["string", "integer", "number", "boolean", "null", "enum", "const", "pattern",
                       "format", "bounded_string", "bounded_int", "bounded_number"])
    if kind == "enum":
        return {"enum": rng.sample(["a", "b", "c d", 1, 2.5, True, None, "é", "x\"y"], rng.randint(1, 4))}
    if kind == "const":
        return {"const": rng.choice(["fixed", 42, False, None, "ünï"])}
    if kind == "pattern":
        return {"type": "string", "pattern": rng.choice(PATTERNS)}
    if kind == "format":
        return {"type": "string", "format": rng.choice(FORMATS)}
    if kind == "bounded_string":
        lo = rng.randint(0, 4)
        return {"type": "string", "minLength": lo, "maxLength": lo + rng.randint(0, 8)}
    if kind == "bounded_int":
        lo = rng.randint(-500, 500)
        s = {"type": "integer", "minimum": lo, "maximum": lo + rng.randint(0, 2000)}
        if rng.random() < 0.3:
            s["exclusiveMinimum"] = s.pop("minimum")
        return s
    if kind == "bounded_number":
        return {"type": "number", "minimum": rng.choice([0, -1.5, 10]), "maximum": rng.choice([100, 1e3, 12.25])}
    return {"type": kind}


def schema(rng, depth=0):
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        return scalar(rng)
    if roll < 0.65:
        names = rng.sample(WORDS, rng.randint(1, 4))
        s = {"type": "object", "properties": {n: schema(rng, depth + 1) for n in names}}
        s["required"] = [n for n in names if rng.random() < 0.6]
        s["additionalProperties"] = rng.random() < 0.3
        return s
    if roll < 0.8:
        lo = rng.randint(0, 2)
        s = {"type": "array", "items": schema(rng, depth + 1), "minItems": lo}
        if rng.random() < 0.7:
            s["maxItems"] = lo + rng.randint(0, 4)
        return s
    if roll < 0.9:
        return {"anyOf": [schema(rng, depth + 1) for _ in range(rng.randint(2, 3))]}
    return {"type": [rng.choice(["string", "integer", "boolean"]), "null"]}


def recursive_schema():
    return {"$defs": {"node": {"type": "object", "properties": {
        "value": {"type": "integer", "minimum": 0, "maximum": 9},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
        "required": ["value"], "additionalProperties": False}},
        "$ref": "#/$defs/node"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    ap.add_argument("--vocab", default=None)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    vocab = args.vocab or os.path.join(os.environ.get("FLASH_TESTDATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "testdata")), "tokenizer", "ggml-vocab-qwen2.gguf")
    if not os.path.exists(vocab):
        print(f"reference vocabulary missing: {vocab} (set FLASH_TESTDATA)")
        print("0 passed, 1 failed")
        return 1

    rng = random.Random(args.seed)
    schemas = [schema(rng) for _ in range(args.count - 1)] + [recursive_schema()]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, s in enumerate(schemas):
            Draft202012Validator.check_schema(s)
            path = os.path.join(tmp, f"s{i}.json")
            with open(path, "w") as f:
                json.dump(s, f)
            proc = subprocess.run([args.flash, "grammar", "sample", "--json-schema", path, "-m", vocab,
                                   "-n", str(args.samples), "--seed", str(args.seed + i)],
                                  capture_output=True, text=True)
            problems = []
            if proc.returncode != 0:
                problems.append(f"flash failed: {proc.stderr.strip()}")
            validator = Draft202012Validator(s, format_checker=Draft202012Validator.FORMAT_CHECKER)
            for line in proc.stdout.splitlines():
                sample = json.loads(line)
                if sample.get("dead_end"):
                    problems.append(f"dead end after {sample['output']!r}")
                    continue
                if not sample["complete"]:
                    problems.append(f"did not finish within the token limit: {sample['output'][:200]!r}")
                    continue
                try:
                    validator.validate(json.loads(sample["output"]))
                except (json.JSONDecodeError, jsonschema.ValidationError) as e:
                    problems.append(f"invalid output {sample['output']!r}: {str(e).splitlines()[0]}")
            if problems:
                failed += 1
                print(f"schema {i}: {json.dumps(s)}")
                for p in problems:
                    print(f"  {p}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
