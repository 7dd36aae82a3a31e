#!/usr/bin/env python3
"""Validate data/train/sources/tools_catalog.jsonl.

Checks every mechanical rule of the tool-calling source catalogue:
line format and key order, function names and schemas, that each request's
arguments validate against the schema and are grounded in the request text,
the `missing` variant, the result/answer pair, and that no 13-word sequence
is shared with any file under data/eval/.

Usage: python3 check_tools_catalog.py [CATALOG] [EVAL_DIR]
Prints counts per domain; on any problem lists them ("line N: ...") and
exits 1.  Needs the `jsonschema` package.
"""
import collections
import json
import re
import sys
from pathlib import Path

try:
    import jsonschema
except ImportError:  # pragma: no cover
    sys.exit("check_tools_catalog.py: the jsonschema package is required")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
CATALOG = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "tools_catalog.jsonl"
EVAL_DIR = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / "data" / "eval"

MIN_FUNCTIONS = 300
MIN_DOMAINS = 20
MIN_REQUESTS = 3
NGRAM = 13

TOP_KEYS = ["domain", "function", "requests", "result", "answer", "missing"]
FUNC_KEYS = ["name", "description", "parameters"]
PARAM_KEYS = ["type", "properties", "required", "additionalProperties"]
MISSING_KEYS = ["text", "argument", "question"]
TYPES = {"string", "integer", "number", "boolean", "array", "object"}
FORMATS = {"date", "time", "date-time", "email", "uri"}
FORBIDDEN = {"pattern", "$ref", "anyOf", "oneOf", "allOf"}
PROP_KEYS = {"type", "description", "enum", "format", "minimum", "maximum",
             "items", "maxItems", "minItems", "properties", "required",
             "additionalProperties"}
ITEM_KEYS = {"type", "enum", "format", "minimum", "maximum"}
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
DOMAIN_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
BOOL_CUES = re.compile(
    r"\b(yes|no|true|false|enable|enabled|disable|disabled|without|include|"
    r"including|exclude|excluding|only|not|don't|do not|skip)\b", re.I)
WORD_SPLIT = re.compile(r"[^a-z0-9]+")
NUM_RE = re.compile(r"\d+(?:\.\d+)?")
# Capitalised words an answer may use although the result does not spell them.
ANSWER_WORDS = {"i", "you", "your", "it", "the", "ok", "okay", "done", "utc"}

problems = []


def fail(line, msg):
    problems.append(f"line {line}: {msg}" if line else msg)


# ---------------------------------------------------------------- helpers
def norm_digits(text):
    """Drop thousands separators so 1,250 reads as 1250."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


def contains_phrase(text, value):
    pat = r"(?<![a-z0-9])" + re.escape(value.lower()) + r"(?![a-z0-9])"
    return re.search(pat, text.lower()) is not None


NUM_TOKEN = re.compile(r"(-)?(?<![\d.])(\d+(?:\.\d+)?)(?!\d|\.\d)")


def contains_number(text, v):
    """True when the text spells the number v in digits (1200.50 == 1200.5)."""
    for m in NUM_TOKEN.finditer(norm_digits(text)):
        x = float(m.group(2))
        if m.group(1) and v < 0:
            x = -x
        if x == v:
            return True
    return False


def walk_schema(node, path, line, stats, top=False):
    """Check one object schema (top-level parameters or a nested object)."""
    if not isinstance(node, dict):
        fail(line, f"{path}: schema must be an object")
        return
    if top and list(node.keys()) != PARAM_KEYS:
        fail(line, f"{path}: keys must be {PARAM_KEYS} in that order, got {list(node.keys())}")
    if node.get("type") != "object":
        fail(line, f"{path}: type must be 'object'")
    props = node.get("properties")
    req = node.get("required")
    if not isinstance(props, dict) or not props:
        fail(line, f"{path}: properties must be a non-empty object")
        return
    if not isinstance(req, list) or (top and not req):
        fail(line, f"{path}: required must be a{' non-empty' if top else ''} list")
        req = []
    if len(set(req)) != len(req):
        fail(line, f"{path}: duplicate names in required")
    for r in req:
        if r not in props:
            fail(line, f"{path}: required '{r}' is not a property")
    if node.get("additionalProperties") is not False:
        fail(line, f"{path}: additionalProperties must be false")
    if len(req) < len(props):
        stats["optional"] += 1
    for pname, p in props.items():
        where = f"{path}.{pname}"
        if not NAME_RE.match(pname):
            fail(line, f"{where}: property name is not snake_case")
        if not isinstance(p, dict):
            fail(line, f"{where}: must be an object")
            continue
        extra = set(p) - PROP_KEYS
        if extra:
            fail(line, f"{where}: unexpected keys {sorted(extra)}")
        if not isinstance(p.get("description"), str) or not p["description"].strip():
            fail(line, f"{where}: missing description")
        check_type(p, where, line, stats)
        if p.get("type") == "object":
            stats["object"] += 1
            walk_schema(p, where, line, stats)
        elif "properties" in p or "required" in p or "additionalProperties" in p:
            fail(line, f"{where}: object keywords on a non-object")


def check_type(p, where, line, stats, item=False):
    t = p.get("type")
    if t not in TYPES or (item and t in ("object", "array")):
        fail(line, f"{where}: bad type {t!r}")
        return
    if "format" in p:
        if t != "string" or p["format"] not in FORMATS:
            fail(line, f"{where}: format {p['format']!r} not allowed")
        else:
            stats["format:" + p["format"]] += 1
    if "enum" in p:
        e = p["enum"]
        if t != "string" or not isinstance(e, list) or not e or \
                not all(isinstance(x, str) and x for x in e) or len(set(e)) != len(e):
            fail(line, f"{where}: enum must be a non-empty list of distinct strings")
        else:
            stats["enum"] += 1
    if "minimum" in p or "maximum" in p:
        if t not in ("integer", "number"):
            fail(line, f"{where}: minimum/maximum on a non-number")
        lo, hi = p.get("minimum"), p.get("maximum")
        if lo is not None and hi is not None and lo > hi:
            fail(line, f"{where}: minimum > maximum")
        stats["bounded " + str(t)] += 1
    if t == "number":
        stats["number"] += 1
    if t == "boolean":
        stats["boolean"] += 1
    if t == "array":
        items = p.get("items")
        if not isinstance(items, dict):
            fail(line, f"{where}: array needs an items schema")
        else:
            extra = set(items) - ITEM_KEYS
            if extra:
                fail(line, f"{where}.items: unexpected keys {sorted(extra)}")
            check_type(items, where + "[]", line, stats, item=True)
        if not isinstance(p.get("maxItems"), int) or p["maxItems"] < 1:
            fail(line, f"{where}: array needs a positive integer maxItems")
        stats["array"] += 1
    elif "items" in p or "maxItems" in p:
        fail(line, f"{where}: items/maxItems on a non-array")


def find_forbidden(node, path, line):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in FORBIDDEN:
                fail(line, f"{path}: keyword {k!r} is not allowed")
            find_forbidden(v, f"{path}.{k}", line)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            find_forbidden(v, f"{path}[{i}]", line)


def ground(value, schema, text, where, line):
    """Every argument value must be recoverable from the request text."""
    t = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(value, bool):
        if not BOOL_CUES.search(text):
            fail(line, f"{where}: boolean {value} is not clearly stated in the text")
    elif isinstance(value, (int, float)):
        if not contains_number(text, value):
            fail(line, f"{where}: number {value} does not appear in the text")
    elif isinstance(value, str):
        if not contains_phrase(text, value):
            fail(line, f"{where}: value {value!r} does not appear in the text")
    elif isinstance(value, list):
        item = schema.get("items", {}) if t == "array" else {}
        for i, v in enumerate(value):
            ground(v, item, text, f"{where}[{i}]", line)
    elif isinstance(value, dict):
        props = schema.get("properties", {}) if t == "object" else {}
        for k, v in value.items():
            ground(v, props.get(k, {}), text, f"{where}.{k}", line)


def value_in_text(value, text):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return contains_number(text, value)
    if isinstance(value, str):
        return contains_phrase(text, value)
    if isinstance(value, list):
        return any(value_in_text(v, text) for v in value)
    if isinstance(value, dict):
        return any(value_in_text(v, text) for v in value.values())
    return False


def strings_of(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings_of(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings_of(v)


def schema_texts(node):
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield node["description"]
        for k in ("properties",):
            if isinstance(node.get(k), dict):
                for v in node[k].values():
                    yield from schema_texts(v)


ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "vs", "no", "approx", "e.g", "i.e"}


def sentence_count(text):
    """Count sentence ends, not counting abbreviations such as 'Dr.'."""
    n = 0
    for m in re.finditer(r"([\w.]*)[.!?](?=\s+[A-Z0-9\"']|$)", text.strip()):
        if m.group(0).endswith(".") and m.group(1).lower() in ABBREVIATIONS:
            continue
        n += 1
    return n


def check_answer(answer, result, line):
    rtext = norm_digits(" ".join(strings_of(result)) + " " + json.dumps(result))
    rnums = set(NUM_RE.findall(rtext))
    for n in NUM_RE.findall(norm_digits(answer)):
        if n not in rnums and n.rstrip("0").rstrip(".") not in rnums:
            fail(line, f"answer: number {n} is not in the result")
    rlow = rtext.lower()
    # Capitalised words that do not start a sentence are names: they must
    # come from the result.
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][A-Za-z]+)", answer):
        w = m.group(1)
        if w.lower() in ANSWER_WORDS:
            continue
        if w.lower() not in rlow:
            fail(line, f"answer: name {w!r} is not in the result")


def ngrams(tokens):
    return {tuple(tokens[i:i + NGRAM]) for i in range(len(tokens) - NGRAM + 1)}


def tokens_of(text):
    return [w for w in WORD_SPLIT.split(text.lower()) if w]


def eval_ngrams(root):
    grams = set()
    if not root.is_dir():
        fail(0, f"eval directory {root} not found")
        return grams
    for f in sorted(root.rglob("*")):
        if not f.is_file():
            continue
        raw = f.read_text(encoding="utf-8", errors="replace")
        variants = [raw, re.sub(r"<[^>]+>", " ", raw)]
        if f.suffix in (".jsonl", ".json"):
            for chunk in raw.splitlines() if f.suffix == ".jsonl" else [raw]:
                try:
                    variants.extend(strings_of(json.loads(chunk)))
                except ValueError:
                    pass
        for v in variants:
            grams |= ngrams(tokens_of(v))
    return grams


def eval_function_names(root):
    names = set()
    for f in sorted((root / "tools").glob("*.jsonl")):
        for raw in f.read_text(encoding="utf-8").splitlines():
            try:
                case = json.loads(raw)
            except ValueError:
                continue
            for tool in case.get("tools", []):
                fn = tool.get("function", tool)
                if isinstance(fn.get("name"), str):
                    names.add(fn["name"])
    return names


# ---------------------------------------------------------------- main
def main():
    if not CATALOG.is_file():
        sys.exit(f"{CATALOG}: not found")
    data = CATALOG.read_bytes()
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"{CATALOG}: not valid UTF-8 ({e})")
    if content and not content.endswith("\n"):
        fail(0, "file must end with a newline")

    taken = eval_function_names(EVAL_DIR)
    grams = eval_ngrams(EVAL_DIR)
    fmt = jsonschema.FormatChecker()

    names = {}
    texts_seen = {}
    per_domain = collections.Counter()
    stats = collections.Counter()
    n_requests = 0

    for ln, raw in enumerate(content.split("\n")[:-1] if content.endswith("\n")
                             else content.split("\n"), 1):
        if raw != raw.rstrip():
            fail(ln, "trailing whitespace")
        if not raw.strip():
            fail(ln, "empty line")
            continue
        try:
            obj = json.loads(raw)
        except ValueError as e:
            fail(ln, f"invalid JSON: {e}")
            continue
        if not isinstance(obj, dict) or list(obj.keys()) != TOP_KEYS:
            fail(ln, f"keys must be {TOP_KEYS} in that order")
            if not isinstance(obj, dict):
                continue

        domain = obj.get("domain")
        if not isinstance(domain, str) or not DOMAIN_RE.match(domain):
            fail(ln, f"domain {domain!r} must be a snake_case string")
        else:
            per_domain[domain] += 1

        # -- function
        func = obj.get("function")
        if not isinstance(func, dict) or list(func.keys()) != FUNC_KEYS:
            fail(ln, f"function keys must be {FUNC_KEYS} in that order")
            continue
        name = func.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            fail(ln, f"function name {name!r} is not snake_case")
        elif name in names:
            fail(ln, f"function name {name!r} already used on line {names[name]}")
        elif name in taken:
            fail(ln, f"function name {name!r} is used by the eval set")
        else:
            names[name] = ln
        desc = func.get("description")
        if not isinstance(desc, str) or not desc.strip():
            fail(ln, "function description missing")
        elif not desc.endswith(".") or sentence_count(desc) != 1:
            fail(ln, "function description must be one sentence ending with '.'")
        params = func.get("parameters")
        find_forbidden(params, "parameters", ln)
        before = len(problems)
        walk_schema(params, "parameters", ln, stats, top=True)
        if len(problems) != before:
            continue
        try:
            jsonschema.Draft202012Validator.check_schema(params)
        except jsonschema.SchemaError as e:
            fail(ln, f"parameters is not a valid JSON Schema: {e.message}")
            continue
        validator = jsonschema.Draft202012Validator(params, format_checker=fmt)
        required = params["required"]
        props = params["properties"]

        # -- requests
        reqs = obj.get("requests")
        if not isinstance(reqs, list) or len(reqs) < MIN_REQUESTS:
            fail(ln, f"needs at least {MIN_REQUESTS} requests")
            reqs = reqs if isinstance(reqs, list) else []
        for i, r in enumerate(reqs):
            where = f"requests[{i}]"
            if not isinstance(r, dict) or list(r.keys()) != ["text", "arguments"]:
                fail(ln, f"{where}: keys must be ['text', 'arguments']")
                continue
            text, args = r["text"], r["arguments"]
            if not isinstance(text, str) or not text.strip() or text != text.strip():
                fail(ln, f"{where}: text must be a non-empty trimmed string")
                continue
            key = text.lower()
            if key in texts_seen:
                fail(ln, f"{where}: duplicate request text (also line {texts_seen[key]})")
            texts_seen[key] = ln
            if not isinstance(args, dict):
                fail(ln, f"{where}: arguments must be an object")
                continue
            n_requests += 1
            for req_name in required:
                if req_name not in args:
                    fail(ln, f"{where}: required argument {req_name!r} missing")
            for err in validator.iter_errors(args):
                loc = "/".join(str(x) for x in err.absolute_path) or "(root)"
                fail(ln, f"{where}: arguments invalid at {loc}: {err.message}")
            for k, v in args.items():
                ground(v, props.get(k, {}), text, f"{where}.{k}", ln)

        # -- result and answer
        result = obj.get("result")
        if not isinstance(result, dict) or not result:
            fail(ln, "result must be a non-empty JSON object")
            result = {}
        answer = obj.get("answer")
        if not isinstance(answer, str) or not answer.strip() or answer != answer.strip():
            fail(ln, "answer must be a non-empty trimmed string")
        else:
            if sentence_count(answer) > 2:
                fail(ln, "answer must be one or two sentences")
            check_answer(answer, result, ln)

        # -- missing
        miss = obj.get("missing")
        if not isinstance(miss, dict) or list(miss.keys()) != MISSING_KEYS:
            fail(ln, f"missing keys must be {MISSING_KEYS} in that order")
        else:
            mtext, marg, mq = miss["text"], miss["argument"], miss["question"]
            if not isinstance(mtext, str) or not mtext.strip() or mtext != mtext.strip():
                fail(ln, "missing.text must be a non-empty trimmed string")
                mtext = ""
            elif mtext.lower() in texts_seen:
                fail(ln, "missing.text repeats a request text")
            if marg not in required:
                fail(ln, f"missing.argument {marg!r} is not a required argument")
            else:
                # The value requests[0] used must be absent; values of other
                # requests too, unless the argument is an enum (enum words
                # may legitimately fill other arguments of the variant).
                is_enum = "enum" in props.get(marg, {})
                for i, r in enumerate(reqs):
                    if i and is_enum:
                        continue
                    if isinstance(r, dict) and isinstance(r.get("arguments"), dict) \
                            and marg in r["arguments"] \
                            and value_in_text(r["arguments"][marg], mtext):
                        fail(ln, f"missing.text contains the {marg!r} value of requests[{i}]")
            if not isinstance(mq, str) or not mq.strip().endswith("?"):
                fail(ln, "missing.question must be a question ending with '?'")

        # -- overlap with the eval set
        texts = [desc or ""] + list(schema_texts(params))
        texts += [r.get("text", "") for r in reqs if isinstance(r, dict)]
        texts += [answer or ""] + list(strings_of(result))
        if isinstance(miss, dict):
            texts += [str(miss.get("text", "")), str(miss.get("question", ""))]
        for t in texts:
            shared = ngrams(tokens_of(t)) & grams
            if shared:
                fail(ln, f"shares a {NGRAM}-word sequence with data/eval: "
                         f"{' '.join(sorted(shared)[0])!r}")

    total = sum(per_domain.values())
    if total < MIN_FUNCTIONS:
        fail(0, f"only {total} functions, need at least {MIN_FUNCTIONS}")
    if len(per_domain) < MIN_DOMAINS:
        fail(0, f"only {len(per_domain)} domains, need at least {MIN_DOMAINS}")
    for feature in ("enum", "bounded integer", "number", "boolean", "array",
                    "object", "optional", "format:date"):
        if stats[feature] == 0:
            fail(0, f"no schema in the file uses feature {feature!r}")

    print(f"{CATALOG.name}: {total} functions, {len(per_domain)} domains, "
          f"{n_requests} requests")
    for d, c in sorted(per_domain.items()):
        print(f"  {d:22s} {c}")
    print("schema features: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.items())))
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"OK: all checks passed (no {NGRAM}-gram shared with {EVAL_DIR.name}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
