#!/usr/bin/env python3
"""Validate the flash tool-calling evaluation suite (data/eval/tools/*.jsonl).

Usage: check_dataset.py [DATA_DIR]   (default: <repo>/data/eval/tools)

Exits 1 and lists every problem found (file:line: reason); on success prints
the number of cases per category and the total.
"""
import json
import os
import re
import sys

try:
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import SchemaError
except ImportError:  # pragma: no cover
    print("check_dataset.py needs the 'jsonschema' package", file=sys.stderr)
    sys.exit(2)

MINIMUMS = {"simple": 70, "multiple": 60, "parallel": 40, "irrelevance": 50}
# (min, max) number of tools offered and of expected calls per category.
TOOL_COUNT = {"simple": (1, 1), "multiple": (2, 4), "parallel": (1, 4), "irrelevance": (1, 3)}
CALL_COUNT = {"simple": (1, 1), "multiple": (1, 1), "parallel": (2, 3), "irrelevance": (0, 0)}
CASE_KEYS = ("id", "category", "question", "tools", "expected")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
FORMATS = FormatChecker()


def norm(s):
    """The comparison a scorer applies to strings: case, outer space, trailing punctuation."""
    return s.strip().rstrip(".!?,;:").strip().casefold()


class Case:
    def __init__(self, where, errors):
        self.where = where
        self.errors = errors

    def err(self, msg):
        self.errors.append("%s: %s" % (self.where, msg))


def check_tool(c, i, tool):
    """Validate one entry of `tools`; return (name, parameters) or None."""
    if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(tool.get("function"), dict):
        c.err("tools[%d] is not {\"type\": \"function\", \"function\": {...}}" % i)
        return None
    fn = tool["function"]
    name = fn.get("name")
    if not isinstance(name, str) or not name:
        c.err("tools[%d] has no name" % i)
        return None
    if not SNAKE.match(name):
        c.err("tool %r: name is not snake_case" % name)
    if not isinstance(fn.get("description"), str) or not fn["description"].strip():
        c.err("tool %r: missing description" % name)
    params = fn.get("parameters")
    if not isinstance(params, dict):
        c.err("tool %r: missing parameters" % name)
        return None
    ok = True
    if params.get("type") != "object" or not isinstance(params.get("properties"), dict):
        c.err("tool %r: parameters is not an object schema with properties" % name)
        ok = False
    req = params.get("required")
    if not isinstance(req, list):
        c.err("tool %r: parameters has no 'required' list" % name)
        ok = False
    elif ok:
        for r in req:
            if r not in params["properties"]:
                c.err("tool %r: required name %r is not in properties" % (name, r))
                ok = False
    try:
        Draft202012Validator.check_schema(params)
    except SchemaError as e:
        c.err("tool %r: parameters is not a valid JSON Schema: %s" % (name, e.message))
        ok = False
    return (name, params) if ok else None


def check_values(c, label, schema, values, required):
    """`values` is the list of acceptable values for one parameter with `schema`."""
    if not isinstance(values, list) or not values:
        c.err("%s: acceptable values must be a non-empty list" % label)
        return
    if "" in values and required:
        c.err("%s: required parameter allows \"\" (omission)" % label)
    seen = set()
    for v in values:
        if isinstance(v, str):
            key = norm(v)
            if key in seen:
                c.err("%s: %r duplicates another acceptable value after normalisation" % (label, v))
            seen.add(key)
        if v == "":
            continue
        if schema.get("type") == "object" and isinstance(v, dict):
            check_object(c, label, schema, v)
            continue
        errs = sorted(Draft202012Validator(schema, format_checker=FORMATS).iter_errors(v), key=str)
        if errs:
            c.err("%s: acceptable value %r fails the schema: %s" % (label, v, errs[0].message))


def check_object(c, label, schema, members):
    """A nested object's acceptable value: {member: [acceptable values]}."""
    props = schema.get("properties", {})
    req = schema.get("required", [])
    for m in members:
        if m not in props:
            c.err("%s: member %r is not in the nested schema" % (label, m))
    for r in req:
        if r not in members:
            c.err("%s: required member %r is missing" % (label, r))
    for m, vals in members.items():
        if m in props:
            check_values(c, "%s.%s" % (label, m), props[m], vals, m in req)


def check_case(c, rec, category, ids):
    if not isinstance(rec, dict):
        c.err("line is not a JSON object")
        return
    missing = [k for k in CASE_KEYS if k not in rec]
    if missing:
        c.err("missing key(s): %s" % ", ".join(missing))
        return
    cid = rec["id"]
    if not isinstance(cid, str) or not cid:
        c.err("id must be a non-empty string")
    elif cid in ids:
        c.err("duplicate id %r (first at %s)" % (cid, ids[cid]))
    else:
        ids[cid] = c.where
        c.where += " [%s]" % cid
    if rec["category"] != category:
        c.err("category %r does not match the file (%r)" % (rec["category"], category))
    if not isinstance(rec["question"], str) or not rec["question"].strip():
        c.err("question must be a non-empty string")
    tools, expected = rec["tools"], rec["expected"]
    if not isinstance(tools, list) or not isinstance(expected, list):
        c.err("tools and expected must be lists")
        return
    lo, hi = TOOL_COUNT[category]
    if not lo <= len(tools) <= hi:
        c.err("%s case offers %d tools (expected %d..%d)" % (category, len(tools), lo, hi))
    offered = {}
    for i, t in enumerate(tools):
        got = check_tool(c, i, t)
        if got is None:
            continue
        name, params = got
        if name in offered:
            c.err("duplicate function name %r" % name)
        offered[name] = params
    lo, hi = CALL_COUNT[category]
    if category == "irrelevance" and expected:
        c.err("irrelevance case must have an empty expected list")
    elif category == "parallel" and len(expected) < 2:
        c.err("parallel case needs at least 2 expected calls, has %d" % len(expected))
    elif not lo <= len(expected) <= hi:
        c.err("%s case has %d expected calls (expected %d..%d)" % (category, len(expected), lo, hi))
    for k, call in enumerate(expected):
        if not isinstance(call, dict) or not isinstance(call.get("name"), str) or not isinstance(call.get("arguments"), dict):
            c.err("expected[%d] must be {\"name\": str, \"arguments\": {...}}" % k)
            continue
        extra = set(call) - {"name", "arguments"}
        if extra:
            c.err("expected[%d] has unknown key(s) %s" % (k, sorted(extra)))
        fname, args = call["name"], call["arguments"]
        if fname not in offered:
            c.err("expected[%d] calls %r, which is not offered" % (k, fname))
            continue
        props, req = offered[fname]["properties"], offered[fname]["required"]
        for a in args:
            if a not in props:
                c.err("expected[%d] %s: argument %r is not in the schema" % (k, fname, a))
        for r in req:
            if r not in args:
                c.err("expected[%d] %s: required parameter %r is missing" % (k, fname, r))
        for a, vals in args.items():
            if a in props:
                check_values(c, "expected[%d] %s.%s" % (k, fname, a), props[a], vals, a in req)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    data_dir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "data", "eval", "tools")
    errors, counts, ids = [], {}, {}
    for category in MINIMUMS:
        path = os.path.join(data_dir, category + ".jsonl")
        shown = os.path.relpath(path)
        counts[category] = 0
        if not os.path.isfile(path):
            errors.append("%s: file is missing" % shown)
            continue
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    errors.append("%s:%d: empty line" % (shown, n))
                    continue
                c = Case("%s:%d" % (shown, n), errors)
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    c.err("not valid JSON: %s" % e)
                    continue
                counts[category] += 1
                check_case(c, rec, category, ids)
        if counts[category] < MINIMUMS[category]:
            errors.append("%s: %d cases, at least %d required" % (shown, counts[category], MINIMUMS[category]))
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print("FAILED: %d problem(s)" % len(errors), file=sys.stderr)
        return 1
    for category, n in counts.items():
        print("%-12s %4d" % (category, n))
    print("%-12s %4d" % ("total", sum(counts.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
