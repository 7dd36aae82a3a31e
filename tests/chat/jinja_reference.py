#!/usr/bin/env python3
"""Holds flash's Jinja interpreter to Python's jinja2 on real chat templates.

Every template in $FLASH_TESTDATA/templates/*.jinja (plus the one inside the GGUF named by
$FLASH_SMOLLM2, when set) is rendered with every conversation in tests/chat/conversations/*.json,
once by jinja2 configured as Hugging Face transformers configures it and once by
`flash template`. The outputs must be equal byte for byte; where jinja2 raises, flash must fail
too, with the same message when the template called raise_exception().

Usage: jinja_reference.py --flash build/release/bin/flash [-v]
Exit status: 0 all equal, 1 any mismatch, 2 missing inputs (testdata, jinja2).
"""

import argparse
import copy
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

try:
    import jinja2
    from jinja2.ext import Extension, loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    print("jinja_reference.py: Python's jinja2 is not installed (pip install 'jinja2>=3.1'); "
          "it is the reference this test compares against", file=sys.stderr)
    sys.exit(2)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


class RaisedByTemplate(jinja2.exceptions.TemplateError):
    """raise_exception(msg) from a template: the message is what users see."""


class GenerationBlocks(Extension):
    """transformers' {% generation %}...{% endgeneration %}: marks assistant text, renders
    the body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_environment():
    """The environment transformers renders chat templates in (apply_chat_template)."""

    def raise_exception(message):
        raise RaisedByTemplate(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        # No HTML escaping, key order kept, options exposed: transformers' own filter.
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationBlocks, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def reference(env, source, context):
    """('ok', text) or ('raise', message) for raise_exception, ('error', description)."""
    context = copy.deepcopy(context)  # a template can mutate it (|indent does `s += "\n"`)
    try:
        return "ok", env.from_string(source).render(**context)
    except RaisedByTemplate as e:
        return "raise", str(e.message)
    except Exception as e:  # jinja2 raises Python's own errors too (TypeError, ...)
        return "error", f"{type(e).__name__}: {e}"


def flash_render(flash, template_args, context_path):
    p = subprocess.run([flash, "template", *template_args, "--context", str(context_path)],
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return n, a[max(0, n - 40):n + 40], b[max(0, n - 40):n + 40]


def judge(expected, got):
    """'equal', 'both-raise' or 'MISMATCH: why'."""
    kind, value = expected
    rc, out, err = got
    if kind == "ok":
        if rc != 0:
            return f"MISMATCH: jinja2 rendered, flash failed (exit {rc}): {err.strip()}"
        text = out.decode("utf-8", "surrogateescape")
        if text == value:
            return "equal"
        n, want, have = first_difference(value, text)
        return f"MISMATCH at character {n}: jinja2 {want!r} flash {have!r}"
    if rc != 1:
        return f"MISMATCH: jinja2 raised ({value}), flash exit {rc}"
    if kind == "raise" and err != f"flash: error: {value}\n":
        return f"MISMATCH: raise_exception message {value!r}, flash said {err.strip()!r}"
    return "both-raise"


def load_gguf_template(path):
    try:
        from gguf import GGUFReader
    except ImportError:
        print(f"skipping {path}: the gguf Python package is not installed", file=sys.stderr)
        return None
    field = GGUFReader(path).fields.get("tokenizer.chat_template")
    if field is None:
        print(f"skipping {path}: no tokenizer.chat_template", file=sys.stderr)
        return None
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flash", required=True, help="path to the flash binary")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every case")
    args = ap.parse_args()

    testdata = Path(os.environ.get("FLASH_TESTDATA", REPO.parent / "shared" / "testdata"))
    template_dir = testdata / "templates"
    templates = sorted(template_dir.glob("*.jinja"))
    if not templates:
        print(f"jinja_reference.py: no templates in {template_dir} (set FLASH_TESTDATA to the "
              "reference data folder)", file=sys.stderr)
        return 2
    cases = [(t.stem, t.read_text(encoding="utf-8"), ["--file", str(t)]) for t in templates]
    smollm2 = os.environ.get("FLASH_SMOLLM2")
    if smollm2:
        if not Path(smollm2).is_file():
            print(f"jinja_reference.py: FLASH_SMOLLM2={smollm2} does not exist", file=sys.stderr)
            return 2
        source = load_gguf_template(smollm2)
        if source is not None:
            cases.append(("SmolLM2 (GGUF)", source, ["--model", smollm2]))
    conversations = sorted((HERE / "conversations").glob("*.json"))
    if not conversations:
        print("jinja_reference.py: no conversations in tests/chat/conversations", file=sys.stderr)
        return 2

    env = make_environment()
    results = {}
    for conv in conversations:
        context = json.loads(conv.read_text(encoding="utf-8"))
        for name, source, template_args in cases:
            verdict = judge(reference(env, source, context),
                            flash_render(args.flash, template_args, conv))
            results[(name, conv.stem)] = verdict
            if args.verbose or verdict.startswith("MISMATCH"):
                print(f"{name} × {conv.stem}: {verdict}")

    # Summary: one row per template, one column per conversation.
    mark = {"equal": "=", "both-raise": "R"}
    width = max(len(name) for name, _, _ in cases)
    print(f"\n{'template':<{width}}  " + " ".join(f"{i:>2}" for i in range(len(conversations))) +
          "   equal raise MISMATCH")
    totals = {"equal": 0, "both-raise": 0, "MISMATCH": 0}
    for name, _, _ in cases:
        row = [results[(name, c.stem)] for c in conversations]
        counts = {k: sum(1 for v in row if v.split(":")[0] == k) for k in totals}
        for k in totals:
            totals[k] += counts[k]
        cells = " ".join(f"{mark.get(v, 'X'):>2}" for v in row)
        print(f"{name:<{width}}  {cells}   {counts['equal']:5} {counts['both-raise']:5} "
              f"{counts['MISMATCH']:8}")
    print("\nconversations: " + ", ".join(f"{i}={c.stem}" for i, c in enumerate(conversations)))
    print("legend: '=' equal output, 'R' both raise, 'X' MISMATCH")
    print(f"{len(cases)} templates × {len(conversations)} conversations: "
          f"{totals['equal']} equal, {totals['both-raise']} both raise, "
          f"{totals['MISMATCH']} mismatches")
    return 1 if totals["MISMATCH"] else 0


if __name__ == "__main__":
    sys.exit(main())
