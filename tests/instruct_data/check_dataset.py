#!/usr/bin/env python3
"""Validates data/eval/instruct/prompts.jsonl (Python 3 stdlib only).

    python3 tests/instruct_data/check_dataset.py [path/to/prompts.jsonl]

Prints the number of instructions per type and of prompts per instruction
count. On any problem it lists every one as "line N (id): why" and exits 1.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.normpath(os.path.join(HERE, "..", "..", "data", "eval", "instruct", "prompts.jsonl"))

MIN_PROMPTS = 320
MIN_PER_TYPE = 8
LANGUAGES = {"en": ["English"], "fr": ["French"], "es": ["Spanish"], "de": ["German"],
             "it": ["Italian"], "pt": ["Portuguese"]}
RELATIONS = {"at least", "less than"}
SPLITTERS = {"Section", "SECTION", "Part", "PART"}

STR, INT, REL, STRLIST = "str", "int", "relation", "strlist"
SCHEMA = {
    "keywords:include": {"keywords": STRLIST},
    "keywords:exclude": {"keywords": STRLIST},
    "keywords:frequency": {"keyword": STR, "relation": REL, "frequency": INT},
    "keywords:letter_frequency": {"letter": STR, "relation": REL, "frequency": INT},
    "language:response_language": {"language": STR},
    "length:words": {"relation": REL, "num_words": INT},
    "length:sentences": {"relation": REL, "num_sentences": INT},
    "length:paragraphs": {"num_paragraphs": INT},
    "length:nth_paragraph_first_word": {"num_paragraphs": INT, "nth_paragraph": INT, "first_word": STR},
    "content:placeholders": {"num_placeholders": INT},
    "content:postscript": {"postscript_marker": STR},
    "format:bullet_count": {"num_bullets": INT},
    "format:highlighted_sections": {"num_highlights": INT},
    "format:sections": {"section_spliter": STR, "num_sections": INT},
    "format:title": {},
    "format:json": {},
    "format:constrained_response": {},
    "combination:two_responses": {},
    "combination:repeat_prompt": {"prompt_to_repeat": STR},
    "startend:start_checker": {"start_phrase": STR},
    "startend:end_checker": {"end_phrase": STR},
    "startend:quotation": {},
    "case:lowercase": {},
    "case:uppercase": {},
    "case:capital_word_frequency": {"relation": REL, "frequency": INT},
    "punctuation:no_comma": {},
}

NUMWORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen", "twenty"]
ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth"]
TENS = {30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty",
        90: "ninety", 100: "hundred"}


def number_in(prompt, n, ordinal=False):
    """A number counts as stated if it appears as digits or in words (or as an ordinal)."""
    low = prompt.lower()
    forms = [str(n)]
    if n < len(NUMWORDS):
        forms.append(NUMWORDS[n])
    if n in TENS:
        forms.append(TENS[n])
    if ordinal:
        if n < len(ORDINALS):
            forms.append(ORDINALS[n])
        forms.append(str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th"))
    return any(re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", low) for f in forms)


def word_in(prompt, word):
    return re.search(r"(?<![\w])" + re.escape(word.lower()) + r"(?![\w])", prompt.lower()) is not None


def check_args(itype, args, errors):
    schema = SCHEMA[itype]
    if not isinstance(args, dict):
        errors.append("%s: args must be an object" % itype)
        return False
    if set(args) != set(schema):
        errors.append("%s: args must be exactly %s, got %s" % (itype, sorted(schema), sorted(args)))
        return False
    ok = True
    for name, kind in schema.items():
        v = args[name]
        if kind == STR and not (isinstance(v, str) and v.strip()):
            errors.append("%s: %s must be a non-empty string" % (itype, name)); ok = False
        elif kind == INT and not (isinstance(v, int) and not isinstance(v, bool) and v > 0):
            errors.append("%s: %s must be a positive integer" % (itype, name)); ok = False
        elif kind == REL and v not in RELATIONS:
            errors.append("%s: %s must be one of %s" % (itype, name, sorted(RELATIONS))); ok = False
        elif kind == STRLIST and not (isinstance(v, list) and v and
                                      all(isinstance(w, str) and w.strip() for w in v)):
            errors.append("%s: %s must be a non-empty list of non-empty strings" % (itype, name)); ok = False
    if not ok:
        return False
    if itype in ("keywords:include", "keywords:exclude"):
        if len({w.lower() for w in args["keywords"]}) != len(args["keywords"]):
            errors.append("%s: duplicated keyword" % itype); ok = False
        for w in args["keywords"]:
            if not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", w):
                errors.append("%s: keyword %r is not a single word" % (itype, w)); ok = False
    if itype == "keywords:frequency" and not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", args["keyword"]):
        errors.append("%s: keyword %r is not a single word" % (itype, args["keyword"])); ok = False
    if itype == "keywords:letter_frequency" and not re.fullmatch(r"[a-z]", args["letter"]):
        errors.append("%s: letter must be one lowercase letter a-z" % itype); ok = False
    if itype == "language:response_language" and args["language"] not in LANGUAGES:
        errors.append("%s: language must be one of %s" % (itype, sorted(LANGUAGES))); ok = False
    if itype == "length:nth_paragraph_first_word":
        if args["nth_paragraph"] > args["num_paragraphs"]:
            errors.append("%s: nth_paragraph > num_paragraphs" % itype); ok = False
        if not re.fullmatch(r"[A-Za-z]+", args["first_word"]):
            errors.append("%s: first_word must be a single word" % itype); ok = False
    if itype == "format:sections" and args["section_spliter"] not in SPLITTERS:
        errors.append("%s: section_spliter must be one of %s" % (itype, sorted(SPLITTERS))); ok = False
    return ok


def check_in_prompt(itype, args, prompt, errors):
    """Every value that names a phrase, keyword, marker or number must be stated in the prompt."""
    def need(cond, what):
        if not cond:
            errors.append("%s: %s is not stated in the prompt" % (itype, what))

    for name, v in args.items():
        if name == "keywords":
            for w in v:
                need(word_in(prompt, w), "keyword %r" % w)
        elif name == "keyword":
            need(word_in(prompt, v), "keyword %r" % v)
        elif name == "letter":
            need(re.search(r"[\"'\u201c\u2018]%s[\"'\u201d\u2019]|\bletter %s\b" % (v, v), prompt, re.I),
                 "letter %r (quoted, or as 'letter %s')" % (v, v))
        elif name == "language":
            need(any(n.lower() in prompt.lower() for n in LANGUAGES[v]), "language name for %r" % v)
        elif name in ("start_phrase", "end_phrase", "postscript_marker", "section_spliter", "prompt_to_repeat"):
            need(v in prompt, "%s %r (exact)" % (name, v))
        elif name == "first_word":
            need(word_in(prompt, v), "first_word %r" % v)
        elif isinstance(v, int) and not isinstance(v, bool):
            need(number_in(prompt, v, ordinal=(name == "nth_paragraph")), "%s=%d" % (name, v))


def check_combination(types, by_type, errors):
    def has(t):
        return t in types

    def bad(why):
        errors.append("forbidden combination: " + why)

    if has("case:lowercase") and has("case:uppercase"):
        bad("lowercase + uppercase")
    if has("case:lowercase") and has("case:capital_word_frequency") and \
            by_type["case:capital_word_frequency"]["relation"] == "at least":
        bad("lowercase + capital_word_frequency 'at least'")
    if has("format:json"):
        for t in ("format:bullet_count", "format:sections", "length:paragraphs", "combination:two_responses",
                  "format:title", "startend:quotation", "format:constrained_response",
                  "length:nth_paragraph_first_word"):
            if has(t):
                bad("json + " + t)
    if has("format:constrained_response"):
        for t in types:
            if t != "format:constrained_response" and t.split(":")[0] in ("length", "keywords", "format"):
                bad("constrained_response + " + t)
    if has("language:response_language") and by_type["language:response_language"]["language"] != "en":
        for t in types:
            if t.startswith("keywords:") or t in ("case:uppercase", "case:capital_word_frequency"):
                bad("language != en + " + t)
    if has("combination:two_responses") and has("combination:repeat_prompt"):
        bad("two_responses + repeat_prompt")
    if has("startend:start_checker") and has("combination:repeat_prompt"):
        bad("start_checker + repeat_prompt")
    if has("startend:start_checker") and has("startend:quotation"):
        bad("start_checker + quotation")
    if has("startend:quotation") and has("startend:end_checker"):
        bad("quotation + end_checker")
    if has("startend:quotation") and has("format:title"):
        bad("quotation + title")

    # further contradictions: the response could never satisfy both
    phrases = [(t, a[k]) for t, a in by_type.items() for k in ("start_phrase", "end_phrase", "postscript_marker",
                                                               "section_spliter") if k in a]
    if has("case:lowercase"):
        for t, p in phrases:
            if p != p.lower():
                bad("lowercase + %s %r has capital letters" % (t, p))
    if has("case:uppercase"):
        for t, p in phrases:
            if p != p.upper():
                bad("uppercase + %s %r has lowercase letters" % (t, p))
    if has("punctuation:no_comma"):
        for t, p in phrases:
            if "," in p:
                bad("no_comma + %s %r contains a comma" % (t, p))
    for a, b in (("format:sections", "length:paragraphs"), ("format:sections", "length:nth_paragraph_first_word"),
                 ("length:paragraphs", "length:nth_paragraph_first_word")):
        if has(a) and has(b):
            bad("%s + %s (different ways to split the response)" % (a, b))
    inc = {w.lower() for w in by_type.get("keywords:include", {}).get("keywords", [])}
    exc = {w.lower() for w in by_type.get("keywords:exclude", {}).get("keywords", [])}
    if inc & exc:
        bad("keywords both included and excluded: %s" % sorted(inc & exc))
    fr = by_type.get("keywords:frequency")
    if fr and fr["relation"] == "at least" and fr["keyword"].lower() in exc:
        bad("keyword %r required by frequency but excluded" % fr["keyword"])


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    problems = []
    ids = {}
    per_type = collections.Counter()
    per_count = collections.Counter()
    n_prompts = 0
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        print("cannot open %s: %s" % (path, e))
        return 1
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                problems.append("line %d: empty line" % lineno)
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append("line %d: invalid JSON (%s)" % (lineno, e))
                continue
            where = "line %d" % lineno
            if not isinstance(row, dict) or set(row) != {"id", "prompt", "instructions"}:
                problems.append("%s: must be an object with exactly id, prompt, instructions" % where)
                continue
            rid, prompt, instrs = row["id"], row["prompt"], row["instructions"]
            errors = []
            if not (isinstance(rid, str) and rid.strip()):
                errors.append("id must be a non-empty string")
            else:
                where = "line %d (%s)" % (lineno, rid)
                if rid in ids:
                    errors.append("duplicate id, first used on line %d" % ids[rid])
                ids.setdefault(rid, lineno)
            if not (isinstance(prompt, str) and prompt.strip()):
                errors.append("prompt must be a non-empty string")
                prompt = ""
            if not isinstance(instrs, list) or not 1 <= len(instrs) <= 3:
                errors.append("instructions must be a list of 1 to 3 items")
                instrs = instrs if isinstance(instrs, list) else []
            n_prompts += 1
            types, by_type, args_ok = [], {}, True
            for ins in instrs:
                if not isinstance(ins, dict) or set(ins) != {"type", "args"}:
                    errors.append("each instruction must be an object with exactly type and args")
                    args_ok = False
                    continue
                t = ins["type"]
                if t not in SCHEMA:
                    errors.append("unknown instruction type %r" % (t,))
                    args_ok = False
                    continue
                if t in by_type:
                    errors.append("instruction type %s used twice" % t)
                types.append(t)
                by_type[t] = ins["args"]
                if check_args(t, ins["args"], errors):
                    check_in_prompt(t, ins["args"], prompt, errors)
                else:
                    args_ok = False
            if args_ok:
                check_combination(types, by_type, errors)
            if errors:
                problems += ["%s: %s" % (where, e) for e in errors]
            else:
                per_type.update(types)
                per_count[len(types)] += 1

    print("prompts: %d" % n_prompts)
    print("instructions per type:")
    for t in SCHEMA:
        print("  %-36s %4d" % (t, per_type[t]))
    print("prompts per instruction count:")
    valid = sum(per_count.values())
    for k in (1, 2, 3):
        print("  %d: %4d (%.0f%%)" % (k, per_count[k], 100.0 * per_count[k] / valid if valid else 0))
    if n_prompts < MIN_PROMPTS:
        problems.append("only %d prompts, need at least %d" % (n_prompts, MIN_PROMPTS))
    for t in SCHEMA:
        if per_type[t] < MIN_PER_TYPE:
            problems.append("type %s used %d times, need at least %d" % (t, per_type[t], MIN_PER_TYPE))
    if problems:
        print("\n%d problem(s) in %s:" % (len(problems), path))
        for p in problems:
            print("  " + p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
