#!/usr/bin/env python3
"""Tool calls from a real model under the grammar, judged independently of flash's own
parser: `flash eval tools` runs a spread of the suite with constraints on and a call required; this script then
re-reads every raw output with Python (json for SmolLM2's JSON list, `ast` for Gemma's
pythonic calls), and checks each call names an offered function and that its arguments
validate under the tool's JSON Schema with Python's `jsonschema`. Every attempted call must
be well formed and valid: 100%.

Usage: real_model_tools.py --flash BIN --model-env FLASH_SMOLLM2 [--chat-template gemma]"""
import ast
import json
import os
import re
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from server_harness import parse_test_args  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_cases():
    cases = {}
    for name in ("simple", "multiple", "parallel", "irrelevance"):
        with open(os.path.join(SOURCE, "data", "eval", "tools", name + ".jsonl")) as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    cases[c["id"]] = c
    return cases


def json_list_calls(output):
    start = output.find("<tool_call>")
    if start < 0:
        return None
    # raw_decode reads exactly one JSON value, so a string that happens to contain
    # "</tool_call>" does not end the list early (a regex would cut it there).
    text = output[start + len("<tool_call>"):].lstrip()
    calls, end = json.JSONDecoder().raw_decode(text)
    if not text[end:].startswith("</tool_call>"):
        raise ValueError("the list is not followed by </tool_call>")
    return [(c["name"], c["arguments"]) for c in calls]


def pythonic_calls(output):
    text = output.strip()
    if not text.startswith("["):
        return None
    tree = ast.parse(text, mode="eval")
    calls = []
    for node in tree.body.elts:
        if not isinstance(node, ast.Call) or node.args:
            raise ValueError("not a keyword-only call: " + ast.dump(node))
        calls.append((node.func.id, {k.arg: ast.literal_eval(k.value) for k in node.keywords}))
    return calls


def main():
    args, model = parse_test_args(limit=16)
    if model is None:
        return 1
    cases = load_cases()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "tools.json")
        # A call is required, so every case yields one to judge (in auto mode these small
        # models mostly answer in prose, which would leave nothing to check).
        cmd = [args.flash, "eval", "tools", "-m", model, "--limit", str(args.limit), "--out", out,
               "--tool-choice", "required", "-n", "384"]
        if args.chat_template:
            cmd += ["--chat-template", args.chat_template]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        print(proc.stdout)
        if proc.returncode != 0:
            print(proc.stderr)
            return 1
        with open(out) as f:
            report = json.load(f)
    read = json_list_calls if report["format"] == "json-list" else pythonic_calls
    attempted = valid = 0
    failures = []
    for s in report["samples"]:
        tools = {t["function"]["name"]: t["function"] for t in cases[s["id"]]["tools"]}
        try:
            calls = read(s["output"])
        except Exception as e:  # a malformed attempt is a failure, with the output shown
            attempted += 1
            failures.append(f"{s['id']}: unreadable ({e}): {s['output']!r}")
            continue
        if calls is None:
            continue
        attempted += 1
        problems = []
        for name, arguments in calls:
            if name not in tools:
                problems.append(f"unknown function {name}")
                continue
            schema = dict(tools[name].get("parameters", {}))
            schema.setdefault("additionalProperties", False)
            errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                          .iter_errors(arguments))
            problems += [f"{name}: {e.message}" for e in errors]
        if problems:
            failures.append(f"{s['id']}: {problems}: {s['output']!r}")
        else:
            valid += 1
    for f in failures:
        print(f)
    print(f"{valid} of {attempted} attempted calls well formed and schema-valid "
          f"({len(report['samples'])} cases, format {report['format']})")
    return 0 if attempted > 0 and valid == attempted else 1


if __name__ == "__main__":
    sys.exit(main())
